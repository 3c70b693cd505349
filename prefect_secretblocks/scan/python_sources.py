"""Find 1.x secret uses in Python source with the standard `ast`, resolving names through imports.

A call counts only when its name resolves to a 1.x import path (`from prefect.client import
Secret`, `import prefect.client as pc; pc.Secret`, `prefect.context.secrets`, ...), so Prefect
2/3 code (`from prefect.blocks.system import Secret`) and unrelated classes are not reported.
"""

from __future__ import annotations

import ast
import string
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cached_property
from typing import Any, Optional

from prefect_secretblocks.scan.config_files import ENV_VARIABLE, is_literal, text_uses
from prefect_secretblocks.scan.uses import Kind, SecretUse, Span, join_notes
from prefect_secretblocks.scan.v1_readers import (
    CLIENT_CLASSES,
    CONTEXT_SECRETS,
    CONTEXTS,
    ENV_VAR_SECRET_TASKS,
    FLOW_CLASSES,
    SECRET_BASES,
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
_FLOW_NOTE = "inside a 1.x `with Flow(...)` block, which builds the flow's tasks: rewrite by hand"
_TASK_NOTE = "a 1.x task: load the block in the flow"


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
    for group in (
        SECRET_CLASSES,
        SECRET_TASKS,
        ENV_VAR_SECRET_TASKS,
        CONTEXTS,
        SECRET_BASES,
        CLIENT_CLASSES,
        FLOW_CLASSES,
    ):
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
    return sorted(_Visitor(tree, text).uses(), key=lambda use: (use.line, use.column))


CallHandler = Callable[[ast.Call, str], Iterator[SecretUse]]


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
        # What a call does with secrets, by the 1.x import path of what it calls.
        self.call_handlers: dict[str, CallHandler] = {
            **dict.fromkeys(SECRET_CLASSES, self._secret_client),
            **dict.fromkeys(SECRET_TASKS, self._secret_task),
            **dict.fromkeys(ENV_VAR_SECRET_TASKS, self._env_var_secret),
            **dict.fromkeys(CONTEXTS, self._context_secrets_set),  # `with prefect.context(secrets={...})`
            "functools.partial": self._partial,
        }

    def _use(self, node: ast.AST, kind: Kind, usage: str, secret: Optional[str] = None, **details: Any) -> SecretUse:
        """A use found at `node`'s line and column."""
        line: int = getattr(node, "lineno", 1)
        return SecretUse(
            line=line,
            column=_character_column(self.lines, line, getattr(node, "col_offset", 0)) + 1,
            kind=kind,
            usage=usage,
            secret=secret,
            **details,
        )

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
            elif isinstance(node, ast.ClassDef):
                yield from self._secret_subclass(node)
            if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
                yield from self._bare_handler(node)
            if isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)) and self._is_context_secrets(node):
                yield self._context_secrets_use(node)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "PREFECT__" in node.value:
                yield from self._environment_string(node, node.value)

    # --- calls: Secret(...), PrefectSecret(...), EnvVarSecret(...), storages and tasks ----------

    def _call(self, call: ast.Call) -> Iterator[SecretUse]:
        for keyword in call.keywords:
            if keyword.arg and ENV_VARIABLE.fullmatch(keyword.arg):  # dict(PREFECT__CONTEXT__SECRETS__X=...)
                yield _environment_use(self._use(keyword.value, Kind.ENV, keyword.arg), keyword.value)
        if self._is_1x_set_secret(call):
            yield self._set_secret(call)
        path = self.imports.resolve(call.func)
        handler = self._call_handler(path) if path else None
        if handler is not None and path is not None:
            yield from handler(call, path)

    def _call_handler(self, path: str) -> Optional[CallHandler]:
        """The handler for a call to `path`: by exact 1.x path first, then by the readers' packages."""
        handler = self.call_handlers.get(path)
        if handler is None and TEMPLATE_READER.matches(path):
            handler = self._templates
        if handler is None and reader_for(path) is not None:
            handler = self._reader_call
        return handler

    def _plain_call_of(self, call: ast.Call, method: str) -> Optional[ast.Call]:
        """`call.method()` without arguments, when that is what `call` is the receiver of."""
        attribute = self.parents.get(call)
        outer = self.parents.get(attribute) if attribute is not None else None
        if (
            isinstance(attribute, ast.Attribute)
            and attribute.attr == method
            and isinstance(outer, ast.Call)
            and outer.func is attribute
            and not outer.args
            and not outer.keywords
        ):
            return outer
        return None

    def _sure_read(self, call: ast.Call, read: ast.Call, usage: str, name: str) -> SecretUse:
        """A plain read of a named secret: rewritable, unless the name or the place makes it unsure."""
        if _string(_name_argument(call)) is None:
            return self._use(call, Kind.READ, usage, name, note=_CONSTANT_NOTE)
        if self._in_flow_context(call):
            return self._use(call, Kind.READ, usage, name, note=_FLOW_NOTE)
        return self._use(call, Kind.READ, usage, name, **self._site(read))

    def _secret_client(self, call: ast.Call, path: str) -> Iterator[SecretUse]:
        name = self._name(_name_argument(call))
        if name is None:
            yield self._use(call, Kind.REVIEW, "Secret(...)", note=_DYNAMIC_NOTE)
            return
        read = self._plain_call_of(call, "get")
        if read is None:
            yield self._use(call, Kind.READ, f'Secret("{name}")', name, note="not a plain .get() call: rewrite by hand")
        else:
            yield self._sure_read(call, read, f'Secret("{name}").get()', name)

    def _secret_task(self, call: ast.Call, path: str) -> Iterator[SecretUse]:
        """`PrefectSecret("X")` builds a task; `PrefectSecret("X").run()` is the value itself."""
        name = self._name(_name_argument(call))
        if name is None:
            yield self._use(call, Kind.REVIEW, "PrefectSecret(...)", note=_DYNAMIC_NOTE)
            return
        run = self._plain_call_of(call, "run")
        if run is None:
            yield self._use(call, Kind.READ, f'PrefectSecret("{name}")', name, note=_TASK_NOTE)
        else:
            yield self._sure_read(call, run, f'PrefectSecret("{name}").run()', name)

    def _env_var_secret(self, call: ast.Call, path: str) -> Iterator[SecretUse]:
        name = self._name(_name_argument(call))
        yield self._use(
            call,
            Kind.ENV,
            f'EnvVarSecret("{name}")' if name else "EnvVarSecret(...)",
            note="reads an environment variable, not a Prefect secret: use os.environ",
        )

    def _partial(self, call: ast.Call, path: str) -> Iterator[SecretUse]:
        """`functools.partial(slack_notifier, webhook_secret="X")` reads what the reader it wraps reads."""
        target = self.imports.resolve(call.args[0]) if call.args else None
        reader = reader_for(target) if target else None
        if reader is not None and target is not None:
            yield from self._reader_uses(call, reader, target, call.args[1:], call.keywords)

    def _reader_call(self, call: ast.Call, path: str) -> Iterator[SecretUse]:
        reader = reader_for(path)
        if reader is not None:
            yield from self._reader_uses(call, reader, path, call.args, call.keywords)

    def _in_flow_context(self, node: ast.AST) -> bool:
        """Whether `node` is in the body of a 1.x `with Flow(...)` block."""
        child, parent = node, self.parents.get(node)
        while parent is not None:
            if isinstance(parent, (ast.With, ast.AsyncWith)) and child in parent.body and self._builds_flow(parent):
                return True
            child, parent = parent, self.parents.get(parent)
        return False

    def _builds_flow(self, block: ast.With | ast.AsyncWith) -> bool:
        return any(
            isinstance(item.context_expr, ast.Call) and self.imports.resolve(item.context_expr.func) in FLOW_CLASSES
            for item in block.items
        )

    def _secret_subclass(self, node: ast.ClassDef) -> Iterator[SecretUse]:
        """A subclass of 1.x's `SecretBase` (or `PrefectSecret`) reads secrets its own way."""
        for base in node.bases:
            path = self.imports.resolve(base)
            if path in SECRET_BASES or path in SECRET_TASKS:
                short = path.rpartition(".")[2]
                note = f"a 1.x {short} subclass: review how it reads secrets, and load a block instead"
                yield self._use(node, Kind.REVIEW, f"class {node.name}({short})", note=note)
                return

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
            return  # part of a longer name, or a call the `_call` handlers take
        path = self.imports.resolve(node)
        reader = reader_for(path) if path else None
        if reader is not None and path is not None and reader.handler:
            yield from self._reader_uses(node, reader, path, [], [])

    # --- Client().set_secret(...): only on 1.x's client -------------------------------------

    def _is_1x_set_secret(self, call: ast.Call) -> bool:
        """`Client().set_secret(...)` on 1.x's `Client`, not a method of that name on another SDK's object."""
        if not (isinstance(call.func, ast.Attribute) and call.func.attr == "set_secret"):
            return False
        receiver = call.func.value
        if isinstance(receiver, ast.Call):
            return self._is_client(receiver)
        return _dotted(receiver) in self._client_variables

    @cached_property
    def _client_variables(self) -> frozenset[str]:
        """Names (`client`, `self.client`) bound to a 1.x `Client(...)` or annotated as one."""
        bound: set[str] = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign) and self._is_client(node.value):
                bound.update(_dotted(target) for target in node.targets)
            elif isinstance(node, ast.AnnAssign) and (
                self._is_client(node.value) or self._names_client(node.annotation)
            ):
                bound.add(_dotted(node.target))
            elif isinstance(node, ast.arg) and self._names_client(node.annotation):
                bound.add(node.arg)
            elif isinstance(node, ast.withitem) and self._is_client(node.context_expr) and node.optional_vars:
                bound.add(_dotted(node.optional_vars))
        return frozenset(bound - {""})

    def _is_client(self, node: Optional[ast.AST]) -> bool:
        return isinstance(node, ast.Call) and self._names_client(node.func)

    def _names_client(self, node: Optional[ast.AST]) -> bool:
        return node is not None and self.imports.resolve(node) in CLIENT_CLASSES

    def _set_secret(self, call: ast.Call) -> SecretUse:
        keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
        name = self._name(keywords.get("name", call.args[0] if call.args else None))
        value = keywords.get("value", call.args[1] if len(call.args) > 1 else None)
        if name is None:
            return self._use(call, Kind.REVIEW, "Client().set_secret(...)", note=_DYNAMIC_NOTE)
        use = self._use(call, Kind.ENV, f'Client().set_secret("{name}", ...)', name)
        return _secret_set(use, value, "sets a 1.x Cloud secret{written}: save the block instead")

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
        if isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Load):
            use = self._context_subscript(parent)
            if use is not None:
                return use
        if (
            isinstance(parent, ast.Attribute)
            and parent.attr not in _MAPPING_METHODS
            and isinstance(parent.ctx, ast.Load)
        ):
            usage = f"prefect.context.secrets.{parent.attr}"
            return self._use(parent, Kind.READ, usage, parent.attr, **self._site(parent))
        call = self.parents.get(parent) if parent is not None else None
        if (
            isinstance(parent, ast.Attribute)
            and parent.attr == "get"
            and isinstance(call, ast.Call)
            and call.func is parent
        ):
            return self._context_get(call)
        note = "uses the 1.x secrets mapping as a whole: review by hand"
        return self._use(node, Kind.REVIEW, "prefect.context.secrets", note=note)

    def _context_subscript(self, subscript: ast.Subscript) -> Optional[SecretUse]:
        """`prefect.context.secrets["X"]`."""
        name = self._name(subscript.slice)
        if name is None:
            return None
        usage = f'prefect.context.secrets["{name}"]'
        if _string(subscript.slice) is None:
            return self._use(subscript, Kind.READ, usage, name, note=_CONSTANT_NOTE)
        return self._use(subscript, Kind.READ, usage, name, **self._site(subscript))

    def _context_get(self, call: ast.Call) -> SecretUse:
        """`prefect.context.secrets.get("X")`: answers None (or the fallback) for a missing secret where `load` raises."""
        name = self._name(call.args[0]) if call.args else None
        if name is None:
            return self._use(call, Kind.REVIEW, "prefect.context.secrets.get(...)", note=_DYNAMIC_NOTE)
        fallback = ", ..." if len(call.args) > 1 or call.keywords else ""
        return self._use(
            call,
            Kind.READ,
            f'prefect.context.secrets.get("{name}"{fallback})',
            name,
            note="answers a fallback for a missing secret, load() raises: rewrite by hand",
        )

    def _context_secrets_set(self, call: ast.Call, path: str) -> Iterator[SecretUse]:
        secrets = next((keyword.value for keyword in call.keywords if keyword.arg == "secrets"), None)
        if isinstance(secrets, ast.Dict):
            entries = [(self._name(key), value) for key, value in zip(secrets.keys, secrets.values)]
        elif isinstance(secrets, ast.Call) and _is_name(secrets.func, "dict"):
            entries = [(keyword.arg, keyword.value) for keyword in secrets.keywords]
        else:
            return
        for name, value in entries:
            if name is not None:
                use = self._use(call, Kind.ENV, f'prefect.context(secrets={{"{name}": ...}})', name)
                yield _secret_set(use, value, "sets the secret in 1.x's context{written}")

    def _templates(self, call: ast.Call, path: str) -> Iterator[SecretUse]:
        """`${NAME}` in the strings of a Webhook storage's arguments."""
        for argument in (*call.args, *(keyword.value for keyword in call.keywords)):
            for node in ast.walk(argument):
                text = _string(node)
                for match in string.Template.pattern.finditer(text or ""):
                    name = match.group("named") or match.group("braced")
                    if name:
                        usage = f'Webhook(... "${{{name}}}" ...)'
                        yield self._use(node, Kind.READ, usage, name, note=TEMPLATE_READER.note)

    def _reader_uses(
        self,
        node: ast.AST,
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
                    note = join_notes(how, reader.note)
                    default = parameter.default
                    yield self._use(
                        node, Kind.DEFAULT, f"{short}(...)", default, note=note, block_type=parameter.block_type
                    )
                continue
            name = self._name(argument)
            if name is None:
                yield self._use(node, Kind.REVIEW, f"{short}({parameter.keyword}=...)", note=_DYNAMIC_NOTE)
            else:
                usage = f'{short}({parameter.keyword}="{name}")'
                yield self._use(node, Kind.READ, usage, name, note=reader.note, block_type=parameter.block_type)

    # --- PREFECT__CONTEXT__SECRETS__* in strings (run_config env, os.environ) --------------

    def _environment_string(self, node: ast.Constant, text: str) -> Iterator[SecretUse]:
        if ENV_VARIABLE.fullmatch(text):
            value = self._assigned_value(node, self.parents.get(node))
            yield _environment_use(self._use(node, Kind.ENV, text), value)
            return
        column = _character_column(self.lines, node.lineno, node.col_offset)
        # A docstring (or any bare string statement) only documents: naming a variable there is
        # not a use, but a value written there is still exposed.
        documentation = isinstance(self.parents.get(node), ast.Expr)
        for use in text_uses(text, node.lineno):  # a shell command or dotenv text in a string
            if documentation and use.kind is not Kind.EXPOSED:
                continue
            # On the string's first line, its columns count from the string's start.
            yield replace(use, column=use.column + column) if use.line == node.lineno else use

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
    end_line = node.end_lineno or node.lineno
    return Span(
        start_line=node.lineno,
        start_column=_character_column(lines, node.lineno, node.col_offset),
        end_line=end_line,
        end_column=_character_column(lines, end_line, node.end_col_offset or 0),
    )


def _character_column(lines: list[str], line: int, offset: int) -> int:
    """A column from 0 in characters, from ast's offset in UTF-8 bytes."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return offset if text.isascii() else len(text.encode()[:offset].decode(errors="ignore"))


def _environment_use(use: SecretUse, value: Optional[ast.expr]) -> SecretUse:
    """`use` names a `PREFECT__CONTEXT__SECRETS__*` variable: exposed when `value` is written in the code."""
    name = ENV_VARIABLE.fullmatch(use.usage)
    secret = name.group("secret") if name else None
    if is_literal(_string(value)):  # "${GITHUB_TOKEN}" is expanded by 1.x: a reference
        return replace(use, kind=Kind.EXPOSED, secret=secret, note="the value is written in the code")
    return replace(use, kind=Kind.ENV, secret=secret, note="set from elsewhere: remove once the block exists")


def _secret_set(use: SecretUse, value: Optional[ast.expr], note: str) -> SecretUse:
    """Code that sets a 1.x secret: exposed when the value is a string written there; `note` has `{written}`."""
    exposed = _string(value) is not None
    written = ", its value written in the code" if exposed else ""
    return replace(use, kind=Kind.EXPOSED if exposed else Kind.ENV, note=note.format(written=written))


def _dotted(node: ast.AST) -> str:
    """`client` or `self.client` for a name or attribute chain; empty for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


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
