"""Shared pieces of the spec generators: YAML with line numbers, errors that
name the file and line, and writing outputs only when they change (so the
build does not redo work downstream of an unchanged file)."""

import os

import yaml


class SpecError(Exception):
    pass


class LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping as '__line__'."""


def _construct_mapping(loader, node):
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path):
    """The document at path, with '__line__' in every mapping."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.load(f, Loader=LineLoader)
    except OSError as e:
        raise SpecError(f"{path}: {e.strerror}")
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise SpecError(f"{path}:{line}: YAML syntax: {getattr(e, 'problem', e)}")
    if not isinstance(doc, dict):
        raise SpecError(f"{path}:1: top level must be a mapping")
    return doc


def strip_lines(obj):
    if isinstance(obj, dict):
        return {k: strip_lines(v) for k, v in obj.items() if k != "__line__"}
    if isinstance(obj, list):
        return [strip_lines(v) for v in obj]
    return obj


def spec_error(path, node, what, msg):
    line = node.get("__line__", 0) if isinstance(node, dict) else 0
    return SpecError(f"{path}:{line}: {what}: {msg}")


def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except OSError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def generator_main(argv, tool, description, outputs, load):
    """Command line shared by the generators: SPEC KIND OUTDIR.

    load(spec_path) validates the spec (raising SpecError) and returns what
    the output functions in outputs[KIND] take.
    """
    import argparse
    import sys

    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("spec", help="the specification (YAML)")
    ap.add_argument("kind", choices=sorted(outputs), help="which outputs to write")
    ap.add_argument("outdir", help="directory to write them into")
    args = ap.parse_args(argv)
    try:
        spec = load(args.spec)
    except SpecError as e:
        print(f"{tool}: {e}", file=sys.stderr)
        return 1
    os.makedirs(args.outdir, exist_ok=True)
    for name, fn in outputs[args.kind].items():
        write_if_changed(os.path.join(args.outdir, name), fn(spec))
    return 0
