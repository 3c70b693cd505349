"""`scan --fix`: rewrite the call sites the scan is sure of, with libcst, keeping everything else as written.

A site is rewritten when its secret name is a literal, the receiver resolved to 1.x's `Secret`,
`PrefectSecret(...).run()` or `context.secrets`, and the block's replacement returns what 1.x
returned. The imports the replacements need are added; a 1.x `Secret` or `PrefectSecret` import
nothing uses any more is removed (which is how `Secret` can then name Prefect's core `Secret` block). Only the fix path imports this module,
so libcst is never imported by `import prefect_secretblocks` or a plain scan.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Optional, Union

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from prefect_secretblocks.scan.python_sources import Imports, span_of
from prefect_secretblocks.scan.uses import Span
from prefect_secretblocks.scan.v1_readers import SECRET_CLASSES, SECRET_TASKS

SpanKey = tuple[int, int, int, int]
# The 1.x names a rewrite replaces (`Secret`, `PrefectSecret`): their imports go once unused.
_V1_IMPORTS = SECRET_CLASSES | SECRET_TASKS
_V1_MODULES = frozenset(path.rpartition(".")[0] for path in _V1_IMPORTS)


@dataclass(frozen=True)
class FixSite:
    """One expression to replace, with the code replacing it and the import that code needs."""

    span: Span
    replacement: str
    import_from: tuple[str, str]  # (module, name); `replacement` uses that name


@dataclass(frozen=True)
class FixOutcome:
    """The rewritten source, the sites rewritten, and why each other site was left as it was."""

    text: str
    fixed: frozenset[Span]
    left: Mapping[Span, str]


@dataclass(frozen=True)
class _RewritePlan:
    """The sites to rewrite, the code for each span, the 1.x imports to drop and the imports to add."""

    sites: list[FixSite]
    replacements: dict[SpanKey, str]
    drop: set[str]
    needed: list[tuple[str, str, str]]  # (module, name, local name)


def fix_source(text: str, sites: Sequence[FixSite]) -> FixOutcome:
    """Rewrite `sites` in one module's source; the result compiles, or nothing is changed."""
    tree = ast.parse(text)
    imports = Imports(tree)
    try:
        wrapper = MetadataWrapper(cst.parse_module(text))
    except (cst.ParserSyntaxError, RecursionError):  # syntax newer than libcst knows
        reasons = {site.span: "libcst cannot parse this file" for site in sites}
        return FixOutcome(text=text, fixed=frozenset(), left=reasons)
    left: dict[Span, str] = {}
    placeable = _placeable_sites(sites, imports, _expression_positions(wrapper), left)
    plan = _plan_rewrite(tree, text.splitlines(), imports, placeable, left)
    if not plan.sites:
        return FixOutcome(text=text, fixed=frozenset(), left=left)
    return _rewrite(wrapper, text, plan, left)


def _expression_positions(wrapper: MetadataWrapper) -> set[SpanKey]:
    """Where each expression of the module is, as libcst counts (characters)."""
    return {
        _key(code_range)
        for node, code_range in wrapper.resolve(PositionProvider).items()
        if isinstance(node, cst.BaseExpression)
    }


def _placeable_sites(
    sites: Sequence[FixSite], imports: Imports, positions: set[SpanKey], left: dict[Span, str]
) -> list[FixSite]:
    """The sites whose expression is found and whose block name is free; the others go to `left`."""
    placeable = []
    for site in sites:
        reason = _import_problem(imports, site.import_from)
        if _span_key(site.span) not in positions:
            reason = "could not find the expression in the source"
        if reason:
            left[site.span] = reason
        else:
            placeable.append(site)
    return placeable


def _plan_rewrite(
    tree: ast.AST, lines: list[str], imports: Imports, sites: list[FixSite], left: dict[Span, str]
) -> _RewritePlan:
    """
    The code for each site and the imports to add and drop.

    A 1.x import goes once nothing outside the rewritten sites uses it. While 1.x's `Secret` is
    still used, the core `Secret` block is imported under another name (`SecretBlock`).
    """
    v1_names = {name for name, path in imports.paths.items() if path in _V1_IMPORTS}
    rewritten, still_used = _references(tree, lines, v1_names, [site.span for site in sites])
    chosen, replacements, needed = [], {}, set()
    for site in sites:
        module, name = site.import_from
        local = f"{name}Block" if name in still_used else name
        if local != name and local in imports.local_names and not _imported(imports.paths.get(local), module, name):
            left[site.span] = f"the names {name} and {local} are both taken in this file: rewrite by hand"
            continue
        if not _imported(imports.paths.get(local), module, name):
            needed.add((module, name, local))
        replacements[_span_key(site.span)] = re.sub(rf"\b{re.escape(name)}\b", local, site.replacement, count=1)
        chosen.append(site)
    return _RewritePlan(sites=chosen, replacements=replacements, drop=rewritten - still_used, needed=sorted(needed))


def _rewrite(wrapper: MetadataWrapper, text: str, plan: _RewritePlan, left: dict[Span, str]) -> FixOutcome:
    """Apply the plan; should the result not compile (a bug), nothing is written."""
    new_text = wrapper.visit(_Rewriter(plan.replacements, plan.drop, plan.needed)).code
    try:
        compile(new_text, "<fixed>", "exec")
    except SyntaxError:  # a libcst rewrite of valid code compiles; should a bug break that, write nothing
        reasons = {**left, **{site.span: "the rewrite would not compile" for site in plan.sites}}
        return FixOutcome(text=text, fixed=frozenset(), left=reasons)
    return FixOutcome(text=new_text, fixed=frozenset(site.span for site in plan.sites), left=left)


def _import_problem(imports: Imports, import_from: tuple[str, str]) -> str:
    module, name = import_from
    path = imports.paths.get(name)
    if path is None and name in imports.local_names:
        return f"the name {name} means several things in this file"
    if path is None or _imported(path, module, name) or path in _V1_IMPORTS:
        return ""
    return f"the name {name} already means {path} in this file"


def _imported(path: Optional[str], module: str, name: str) -> bool:
    """Whether an import path is `module.name`, or the same class from a submodule of `module`."""
    return path is not None and (
        path == f"{module}.{name}" or (path.startswith(f"{module}.") and path.endswith(f".{name}"))
    )


def _references(tree: ast.AST, lines: list[str], names: set[str], spans: Iterable[Span]) -> tuple[set[str], set[str]]:
    """Which of `names` are used inside the given spans, and which outside them."""
    ranges = [_span_key(span) for span in spans]
    inside: set[str] = set()
    outside: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in names:
            key = _span_key(span_of(node, lines))
            within = any(outer[:2] <= key[:2] and key[2:] <= outer[2:] for outer in ranges)
            (inside if within else outside).add(node.id)
    return inside, outside


def _span_key(span: Span) -> SpanKey:
    return (span.start_line, span.start_column, span.end_line, span.end_column)


def _key(code_range: CodeRange) -> SpanKey:
    return (code_range.start.line, code_range.start.column, code_range.end.line, code_range.end.column)


class _Rewriter(cst.CSTTransformer):
    """Replaces expressions by position, drops unused 1.x `Secret` imports, adds the block imports."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, replacements: Mapping[SpanKey, str], drop: set[str], needed: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.replacements = replacements
        self.drop = drop
        self.needed = needed

    def on_leave(
        self, original_node: cst.CSTNodeT, updated_node: cst.CSTNodeT
    ) -> Union[cst.CSTNodeT, cst.RemovalSentinel, cst.FlattenSentinel[cst.CSTNodeT]]:
        if isinstance(original_node, cst.BaseExpression) and isinstance(updated_node, cst.BaseExpression):
            replacement = self.replacements.get(_key(self.get_metadata(PositionProvider, original_node)))
            if replacement is not None:
                # Keep the parentheses written around the old expression.
                expression = cst.parse_expression(replacement).with_changes(
                    lpar=updated_node.lpar, rpar=updated_node.rpar
                )
                return expression  # type: ignore[return-value]
        return super().on_leave(original_node, updated_node)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> Union[cst.ImportFrom, cst.RemovalSentinel]:
        module = get_full_name_for_node(updated_node.module) if updated_node.module else None
        if isinstance(updated_node.names, cst.ImportStar) or module not in _V1_MODULES:
            return updated_node
        kept = [alias for alias in updated_node.names if _local_name(alias) not in self.drop]
        if not kept:
            return cst.RemoveFromParent()
        if len(kept) == len(updated_node.names):
            return updated_node
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(names=kept)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self.needed:
            return updated_node
        by_module: dict[str, list[str]] = {}
        for module, name, local in self.needed:
            by_module.setdefault(module, []).append(name if local == name else f"{name} as {local}")
        statements = [
            cst.parse_statement(f"from {module} import {', '.join(names)}\n") for module, names in by_module.items()
        ]
        body = list(updated_node.body)
        index = _import_position(body)
        return updated_node.with_changes(body=[*body[:index], *statements, *body[index:]])


def _local_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return get_full_name_for_node(alias.name) or ""


def _import_position(body: Sequence[cst.BaseStatement]) -> int:
    """After the imports that open the module (and its docstring): before any code that could use the names."""
    position = 0
    for index, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        if all(isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body):
            position = index + 1
        elif index == 0 and isinstance(statement.body[0], cst.Expr):
            position = 1  # the module docstring
        else:
            break
    return position
