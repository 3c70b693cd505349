"""Find 1.x secret uses in Python source with the standard `ast`, resolving names through imports.

A call counts only when its name resolves to a 1.x import path (`from prefect.client import
Secret`, `import prefect.client as pc; pc.Secret`, `prefect.context.secrets`, ...), so Prefect
2/3 code (`from prefect.blocks.system import Secret`) and unrelated classes are not reported.
"""

from __future__ import annotations

import ast
import string
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, Optional

from prefect_secretblocks.scan.config_files import ENV_VARIABLE, is_literal, text_uses
from prefect_secretblocks.scan.uses import Kind, SecretUse, Span, join_notes
from prefect_secretblocks.scan.v1_readers import (
    CONTEXT_SECRETS,
    CONTEXTS,
    ENV_VAR_SECRET_TASKS,
    SECRET_CLASSES,
    SECRET_TASKS,
    TEMPLATE_READER,
    SecretReader,
    reader_for,
)

# Methods of 1.x's context mapping: `context.secrets.get` is a method, `context.secrets.X` a secret.
_MAPPING_METHODS = frozenset(dir(dict)) | {"to_dict", "copy"}
_DYNAMIC_NOTE = "the secret name is computed at run time: review by hand"
_CONSTANT_NOTE = "the name comes from a constant: rewrite by hand"


class Imports:
    """Which import path each local name of a module stands for."""

    def __init__(self, tree: ast.AST) -> None:
        bound: dict[str, set[str]] = defaultdict(set)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    # `import prefect.client` binds `prefect`; `import prefect.client as pc` binds `pc`.
                    local = alias.asname or alias.name.partition(".")[0]
                    bound[local].add(alias.name if alias.asname else local)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        bound[alias.asname or alias.name].add(f"{node.module}.{alias.name}")
            elif isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                bound[node.name].add(f"<local>.{node.name}")
        # A name bound to two different things is not trusted: it could be either at the call.
        # Two import paths of the same 1.x object (`prefect.client.Secret` and
        # `prefect.client.secrets.Secret` in a try/except ImportError) are one thing.
        self.paths = {
            name: min(paths) for name, paths in bound.items() if len({_canonical(path) for path in paths}) == 1
        }
        self.local_names = frozenset(bound)
        self.uses_prefect = any(path == "prefect" or path.startswith("prefect.") for path in self.paths.values())

    def resolve(self, node: ast.AST) -> Optional[str]:
        """The dotted import path of a name or attribute chain (`pc.Secret` -> `prefect.client.Secret`)."""
        if isinstance(node, ast.Name):
            return self.paths.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return f"{base}.{node.attr}" if base else None
        return None


def _canonical(path: str) -> str:
    """One name for the import paths of the same 1.x object."""
    for group in (SECRET_CLASSES, SECRET_TASKS, ENV_VAR_SECRET_TASKS, CONTEXTS):
        if path in group:
            return min(group)
    reader = reader_for(path)
    return f"{reader.packages[0]}.{path.rpartition('.')[2]}" if reader else path


def scan_python(text: str) -> list[SecretUse]:
    """
    The 1.x secret uses in one module's source.

    Raises:
        SyntaxError: The source is not Python 3 (the caller reports the file as skipped).
        ValueError: The source holds null bytes.
    """
    tree = ast.parse(text)
    return sorted(_Visitor(tree, text).uses(), key=lambda use: use.line)


class _Visitor:
    """One pass over a module's tree, with its imports, parents and constants at hand."""

    def __init__(self, tree: ast.AST, text: str) -> None:
        self.tree = tree
        self.lines = text.splitlines()
        self.imports = Imports(tree)
        self.parents: dict[ast.AST, ast.AST] = {
            child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)
        }
        self.constants = _module_constants(tree)

    def _name(self, node: Optional[ast.AST]) -> Optional[str]:
        """A secret name given as a string literal, or as a module constant assigned once."""
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        return _string(node)

    def _site(self, node: ast.expr) -> dict[str, Any]:
        """Where `--fix` may replace `node`, and whether it is in an `async def` (where `load` must be awaited)."""
        scope = self.parents.get(node)
        while scope is not None and not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            scope = self.parents.get(scope)
        if isinstance(scope, ast.Lambda):  # no `await` there, and sync `load` may hand back a coroutine
            return {"note": "inside a lambda: rewrite by hand"}
        return {"span": span_of(node, self.lines), "awaited": isinstance(scope, ast.AsyncFunctionDef)}

    def uses(self) -> Iterator[SecretUse]:
        """Every use in the module, in tree order."""
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                yield from self._call(node)
            if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
                yield from self._bare_handler(node)
            if self._is_context_secrets(node):
                yield self._context_secrets_use(node)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "PREFECT__" in node.value:
                yield from self._environment_string(node, node.value)

    # --- calls: Secret(...), PrefectSecret(...), EnvVarSecret(...), storages and tasks ----------

    def _call(self, call: ast.Call) -> Iterator[SecretUse]:
        path = self.imports.resolve(call.func)
        for keyword in call.keywords:
            if keyword.arg and ENV_VARIABLE.fullmatch(keyword.arg):  # dict(PREFECT__CONTEXT__SECRETS__X=...)
                yield _environment_use(keyword.value.lineno, keyword.arg, keyword.value)
        if isinstance(call.func, ast.Attribute) and call.func.attr == "set_secret" and self.imports.uses_prefect:
            yield self._set_secret(call)  # 1.x `Client().set_secret(name, value)`: writes a Cloud secret
        if path is None:
            return
        if path in SECRET_CLASSES:
            yield self._secret_client(call)
        elif path in CONTEXTS:  # `with prefect.context(secrets={...})`, as 1.x tests did
            yield from self._context_secrets_set(call)
        elif path in SECRET_TASKS:
            name = self._name(_name_argument(call))
            usage = f'PrefectSecret("{name}")' if name else "PrefectSecret(...)"
            if name:
                yield SecretUse(call.lineno, Kind.READ, usage, name, note="a 1.x task: load the block in the flow")
            else:
                yield SecretUse(call.lineno, Kind.REVIEW, usage, note=_DYNAMIC_NOTE)
        elif path in ENV_VAR_SECRET_TASKS:
            name = self._name(_name_argument(call))
            yield SecretUse(
                call.lineno,
                Kind.ENV,
                f'EnvVarSecret("{name}")' if name else "EnvVarSecret(...)",
                note="reads an environment variable, not a Prefect secret: use os.environ",
            )
        elif TEMPLATE_READER.matches(path):
            yield from self._templates(call)
        elif path == "functools.partial" and call.args:
            target = self.imports.resolve(call.args[0])
            reader = reader_for(target) if target else None
            if reader is not None and target is not None:
                yield from self._reader_uses(call.lineno, reader, target, call.args[1:], call.keywords)
        else:
            reader = reader_for(path)
            if reader is not None:
                yield from self._reader_uses(call.lineno, reader, path, call.args, call.keywords)

    def _secret_client(self, call: ast.Call) -> SecretUse:
        argument = _name_argument(call)
        name = self._name(argument)
        if name is None:
            return SecretUse(call.lineno, Kind.REVIEW, "Secret(...)", note=_DYNAMIC_NOTE)
        attribute = self.parents.get(call)
        get_call = self.parents.get(attribute) if attribute is not None else None
        if (
            isinstance(attribute, ast.Attribute)
            and attribute.attr == "get"
            and isinstance(get_call, ast.Call)
            and get_call.func is attribute
            and not get_call.args
            and not get_call.keywords
        ):
            if _string(argument) is None:
                return SecretUse(call.lineno, Kind.READ, f'Secret("{name}").get()', name, note=_CONSTANT_NOTE)
            return SecretUse(call.lineno, Kind.READ, f'Secret("{name}").get()', name, **self._site(get_call))
        return SecretUse(
            call.lineno, Kind.READ, f'Secret("{name}")', name, note="not a plain .get() call: rewrite by hand"
        )

    def _bare_handler(self, node: ast.expr) -> Iterator[SecretUse]:
        """A state handler passed without calling it (`state_handlers=[slack_notifier]`) reads its defaults."""
        parent = self.parents.get(node)
        if isinstance(parent, ast.Attribute) or (
            isinstance(parent, ast.Call)
            and (
                parent.func is node
                or (parent.args[:1] == [node] and self.imports.resolve(parent.func) == "functools.partial")
            )
        ):
            return  # part of a longer name, or a call the `_call` branch handles
        path = self.imports.resolve(node)
        reader = reader_for(path) if path else None
        if reader is not None and path is not None and reader.handler:
            yield from self._reader_uses(node.lineno, reader, path, [], [])

    # --- prefect.context.secrets -----------------------------------------------------------

    def _is_context_secrets(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Attribute):
            return self.imports.resolve(node) in CONTEXT_SECRETS
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            # prefect.context.get("secrets", {})
            return (
                self.imports.resolve(node.func.value) in CONTEXTS
                and bool(node.args)
                and _string(node.args[0]) == "secrets"
            )
        if isinstance(node, ast.Subscript):
            return self.imports.resolve(node.value) in CONTEXTS and _string(node.slice) == "secrets"
        return False

    def _context_secrets_use(self, node: ast.expr) -> SecretUse:
        parent = self.parents.get(node)
        usage = "prefect.context.secrets"
        if isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Load):
            name = self._name(parent.slice)
            if name is not None:
                if _string(parent.slice) is None:
                    return SecretUse(parent.lineno, Kind.READ, f'{usage}["{name}"]', name, note=_CONSTANT_NOTE)
                return SecretUse(parent.lineno, Kind.READ, f'{usage}["{name}"]', name, **self._site(parent))
        if (
            isinstance(parent, ast.Attribute)
            and parent.attr not in _MAPPING_METHODS
            and isinstance(parent.ctx, ast.Load)
        ):
            return SecretUse(parent.lineno, Kind.READ, f"{usage}.{parent.attr}", parent.attr, **self._site(parent))
        call = self.parents.get(parent) if parent is not None else None
        if (
            isinstance(parent, ast.Attribute)
            and parent.attr == "get"
            and isinstance(call, ast.Call)
            and call.func is parent
        ):
            name = self._name(call.args[0]) if call.args else None
            if name is not None:
                # `.get` answers None (or the fallback) for a missing secret where `load` raises.
                fallback = len(call.args) > 1 or bool(call.keywords)
                return SecretUse(
                    call.lineno,
                    Kind.READ,
                    f'{usage}.get("{name}"{", ..." if fallback else ""})',
                    name,
                    note="answers a fallback for a missing secret, load() raises: rewrite by hand",
                )
            return SecretUse(call.lineno, Kind.REVIEW, f"{usage}.get(...)", note=_DYNAMIC_NOTE)
        return SecretUse(
            node.lineno, Kind.REVIEW, usage, note="uses the 1.x secrets mapping as a whole: review by hand"
        )

    def _context_secrets_set(self, call: ast.Call) -> Iterator[SecretUse]:
        secrets = next((keyword.value for keyword in call.keywords if keyword.arg == "secrets"), None)
        if isinstance(secrets, ast.Dict):
            entries = [(self._name(key), value) for key, value in zip(secrets.keys, secrets.values)]
        elif isinstance(secrets, ast.Call) and _is_name(secrets.func, "dict"):
            entries = [(keyword.arg, keyword.value) for keyword in secrets.keywords]
        else:
            return
        for name, value in entries:
            if name is not None:
                usage = f'prefect.context(secrets={{"{name}": ...}})'
                yield _secret_set(call.lineno, usage, name, value, "sets the secret in 1.x's context{written}")

    def _set_secret(self, call: ast.Call) -> SecretUse:
        keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
        name = self._name(keywords.get("name", call.args[0] if call.args else None))
        value = keywords.get("value", call.args[1] if len(call.args) > 1 else None)
        if name is None:
            return SecretUse(call.lineno, Kind.REVIEW, "Client().set_secret(...)", note=_DYNAMIC_NOTE)
        usage = f'Client().set_secret("{name}", ...)'
        return _secret_set(call.lineno, usage, name, value, "sets a 1.x Cloud secret{written}: save the block instead")

    def _templates(self, call: ast.Call) -> Iterator[SecretUse]:
        """`${NAME}` in the strings of a Webhook storage's arguments."""
        for argument in (*call.args, *(keyword.value for keyword in call.keywords)):
            for node in ast.walk(argument):
                text = _string(node)
                for match in string.Template.pattern.finditer(text or ""):
                    name = match.group("named") or match.group("braced")
                    if name:
                        usage = f'Webhook(... "${{{name}}}" ...)'
                        yield SecretUse(node.lineno, Kind.READ, usage, name, note=TEMPLATE_READER.note)

    def _reader_uses(
        self,
        line: int,
        reader: SecretReader,
        path: str,
        positional: list[ast.expr],
        keyword_arguments: list[ast.keyword],
    ) -> Iterator[SecretUse]:
        """The secrets a call to a 1.x storage, task or notifier reads, by argument or by default."""
        short = path.rpartition(".")[2]
        keywords = {keyword.arg: keyword.value for keyword in keyword_arguments if keyword.arg}
        for parameter in reader.parameters:
            argument: Optional[ast.expr] = None
            if parameter.keyword is not None:
                argument = keywords.get(parameter.keyword)
                if argument is None and parameter.position is not None and parameter.position < len(positional):
                    argument = positional[parameter.position]
            if argument is None or (isinstance(argument, ast.Constant) and argument.value is None):
                if parameter.default is not None:
                    how = f"reads {parameter.default}" + (
                        "" if parameter.keyword is None else f" when {parameter.keyword} is not given"
                    )
                    yield SecretUse(
                        line, Kind.DEFAULT, f"{short}(...)", parameter.default, note=join_notes(how, reader.note)
                    )
                continue
            name = self._name(argument)
            if name is None:
                yield SecretUse(line, Kind.REVIEW, f"{short}({parameter.keyword}=...)", note=_DYNAMIC_NOTE)
            else:
                yield SecretUse(line, Kind.READ, f'{short}({parameter.keyword}="{name}")', name, note=reader.note)

    # --- PREFECT__CONTEXT__SECRETS__* in strings (run_config env, os.environ) --------------

    def _environment_string(self, node: ast.Constant, text: str) -> Iterator[SecretUse]:
        if ENV_VARIABLE.fullmatch(text):
            parent = self.parents.get(node)
            yield _environment_use(node.lineno, text, self._assigned_value(node, parent))
            return
        yield from text_uses(text, node.lineno)  # a shell command or dotenv text in a string

    def _assigned_value(self, node: ast.expr, parent: Optional[ast.AST]) -> Optional[ast.expr]:
        """The value given to a variable named by `node`: a dict entry, an `environ[...] = ...`, a call's next argument."""
        if isinstance(parent, ast.Dict):
            if node in parent.keys:
                return parent.values[parent.keys.index(node)]
            # ECS / Kubernetes style: {"name": "PREFECT__CONTEXT__SECRETS__X", "value": "..."}
            entries = {_string(key): value for key, value in zip(parent.keys, parent.values)}
            return entries.get("value") if entries.get("name") is node else None
        if isinstance(parent, ast.Subscript):
            assign = self.parents.get(parent)
            if isinstance(assign, ast.Assign) and parent in assign.targets:
                return assign.value
        if isinstance(parent, ast.Call) and node in parent.args:
            following = parent.args[parent.args.index(node) + 1 :]
            return following[0] if following else None
        return None


def span_of(node: ast.expr, lines: list[str]) -> Span:
    """Where an expression is, in characters (ast counts columns in UTF-8 bytes, libcst in characters)."""

    def column(line: int, offset: int) -> int:
        return len(lines[line - 1].encode()[:offset].decode(errors="ignore"))

    end_line = node.end_lineno or node.lineno
    return Span(node.lineno, column(node.lineno, node.col_offset), end_line, column(end_line, node.end_col_offset or 0))


def _environment_use(line: int, variable: str, value: Optional[ast.expr]) -> SecretUse:
    name = ENV_VARIABLE.fullmatch(variable)
    secret = name.group("secret") if name else None
    if is_literal(_string(value)):  # "${GITHUB_TOKEN}" is expanded by 1.x: a reference
        return SecretUse(line, Kind.EXPOSED, variable, secret, note="the value is written in the code")
    return SecretUse(line, Kind.ENV, variable, secret, note="set from elsewhere: remove once the block exists")


def _secret_set(line: int, usage: str, name: str, value: Optional[ast.expr], note: str) -> SecretUse:
    """Code that sets a 1.x secret: exposed when the value is a string written there; `note` has `{written}`."""
    exposed = _string(value) is not None
    written = ", its value written in the code" if exposed else ""
    return SecretUse(line, Kind.EXPOSED if exposed else Kind.ENV, usage, name, note=note.format(written=written))


def _name_argument(call: ast.Call) -> Optional[ast.expr]:
    """The argument naming a secret: the first one, or `name=`."""
    for keyword in call.keywords:
        if keyword.arg == "name":
            return keyword.value
    return call.args[0] if call.args else None


def _module_constants(tree: ast.AST) -> dict[str, str]:
    """`NAME = "literal"` at module level, for names assigned nowhere else (so the value is sure)."""
    stores: dict[str, int] = defaultdict(int)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            stores[node.id] += 1
    constants = {}
    for statement in getattr(tree, "body", []):
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        ):
            value = _string(statement.value)
            if value is not None and stores[statement.targets[0].id] == 1:
                constants[statement.targets[0].id] = value
    return constants


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _string(node: Optional[ast.AST]) -> Optional[str]:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value else None
