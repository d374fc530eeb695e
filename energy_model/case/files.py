"""The files of a case folder and how they are read: their names, and YAML read safely (duplicate keys,
alias bombs and runaway nesting refused) with every problem collected for one message."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import InputError

CASE_FILE = "case.yaml"
TECHNOLOGIES_FILE = "technologies.yaml"
SCENARIOS_FILE = "scenarios.yaml"
PLAN_TARGETS_FILE = "plan_targets.yaml"  # optional: the plan's figures every run is audited against (audit.py)
TIMESERIES_DIR = "timeseries"
WEATHER_YEARS_DIR = "weather_years"  # timeseries/weather_years/<name>/: columns that replace the case's
TIMESERIES_SUFFIXES = (".csv", ".parquet")


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, noting every key that appears twice in one mapping."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []  # (line, problem)

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
                seen.setdefault(key, line)
            except TypeError:  # an unhashable key: the base class reports it
                continue
            if first is not None:
                self.duplicates.append((line, f"line {line}: key '{key}' appears twice in one mapping "
                                              f"(first at line {first}); remove one"))
        return super().construct_mapping(node, deep=deep)


YAML_MAX_BYTES = 10_000_000  # a case file is text written by people: far below this
YAML_MAX_DEPTH = 50  # the deepest case structure (pathway periods' overrides) nests under 10 levels
YAML_MAX_VALUES = 1_000_000  # values after aliases are expanded: guards against alias bombs


def _check_yaml_graph(root) -> None:
    """Refuse a YAML graph nested too deeply or whose aliases expand it beyond YAML_MAX_VALUES values, before
    anything is built from it (aliases share nodes, so sizes are counted per node once, iteratively)."""
    expanded: dict[int, int] = {}
    depth: dict[int, int] = {}
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in expanded and not children_done:
            continue
        children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else (
            list(node.value) if isinstance(node, yaml.SequenceNode) else [])
        if not children_done:
            expanded[key] = -1  # on the path: a cycle through an alias would revisit it
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in expanded)
            continue
        if any(expanded.get(id(child)) == -1 for child in children):  # itself, or a node on the path
            raise InputError(["an alias refers to a node that contains it (a recursive structure)"])
        expanded[key] = 1 + sum(expanded[id(child)] for child in children)
        depth[key] = 1 + max((depth[id(child)] for child in children), default=0)
        if expanded[key] > YAML_MAX_VALUES:
            mark = node.start_mark
            raise InputError([f"line {mark.line + 1}: aliases expand this structure to more than "
                              f"{YAML_MAX_VALUES:,} values; write it out instead"])
        if depth[key] > YAML_MAX_DEPTH:
            raise InputError([f"nested more than {YAML_MAX_DEPTH} levels deep"])


def read_yaml(path: Path, problems: list[str] | None = None) -> dict:
    """Safe-load a YAML mapping; syntax errors and duplicate keys become problems naming the line.

    With ``problems`` given they are appended there (and ``{}`` returned), so that the problems of
    several files are reported together; without it an :class:`InputError` is raised.
    """
    found: list[str] = []
    content = None
    try:
        size = Path(path).stat().st_size
        if size > YAML_MAX_BYTES:
            raise InputError([f"{path}: {size:,} bytes; a case file may hold at most {YAML_MAX_BYTES:,}"])
        with open(path, encoding="utf-8-sig") as fh:  # a byte-order mark is allowed, as in CSV files
            loader = _UniqueKeyLoader(fh)
            try:
                node = loader.get_single_node()
                if node is not None:
                    _check_yaml_graph(node)
                    content = loader.construct_document(node)
            finally:
                loader.dispose()
        found += [f"{path}: {problem}" for _, problem in sorted(loader.duplicates)]
    except InputError as exc:
        found += [p if p.startswith(str(path)) else f"{path}: {p}" for p in exc.problems]
    except RecursionError:
        found.append(f"{path}: nested too deeply to read (more than {YAML_MAX_DEPTH} levels)")
    except FileNotFoundError:
        found.append(f"{path}: file not found")
    except UnicodeDecodeError as exc:
        found.append(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        found.append(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}")
    if not found and content is not None and not isinstance(content, dict):
        found.append(f"{path}: expected a mapping of names to entries, got {type_name(content)}")
    if found:
        if problems is None:
            raise InputError(found)
        problems.extend(found)
        return {}
    return content or {}


def type_name(value) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "nothing"}.get(type(value), type(value).__name__)
