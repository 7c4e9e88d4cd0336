"""Statement-level mutation operators that cosmic-ray's core set lacks.

Core cosmic-ray swaps operators, comparisons, booleans and numbers. The holes of issue 19 were as often a refusal
nobody tests (``raise`` removed), a result nobody looks at (``return None``) or a side effect nobody checks (a
call or an attribute assignment deleted). These three operators make such mutants; ``run.py`` registers them as
the ``kkmp`` provider next to cosmic-ray's ``core`` provider, so they run in the same session and report.
"""
from parso.python.tree import Keyword

from cosmic_ray.operators.operator import Example, Operator


def _pass_like(node):
    """A ``pass`` leaf that takes the place (and the leading whitespace) of ``node``."""
    first = node.get_first_leaf()
    return Keyword("pass", node.start_pos, prefix=first.prefix)


class RemoveRaise(Operator):
    """``raise SomeError(...)`` becomes ``pass``: is the refusal tested?"""

    def mutation_positions(self, node):
        if node.type == "raise_stmt":
            yield (node.start_pos, node.end_pos)

    def mutate(self, node, index):
        return _pass_like(node)

    @classmethod
    def examples(cls):
        return (Example("def f():\n    raise ValueError('x')\n", "def f():\n    pass\n"),)


class ReturnNone(Operator):
    """``return <expression>`` becomes ``return None``: is the result looked at?"""

    def mutation_positions(self, node):
        if node.type == "return_stmt" and len(node.children) == 2:
            value = node.children[1]
            if not (value.type == "keyword" and value.value == "None"):
                yield (node.start_pos, node.end_pos)

    def mutate(self, node, index):
        node.children = [node.children[0], Keyword("None", node.children[1].start_pos, prefix=" ")]
        return node

    @classmethod
    def examples(cls):
        return (Example("def f():\n    return 1 + 2\n", "def f():\n    return None\n"),)


def _is_call_statement(node):
    """``obj.method(...)`` or ``function(...)`` standing alone as a statement."""
    if node.type != "atom_expr" or node.parent is None or node.parent.type != "simple_stmt":
        return False
    last = node.children[-1]
    return last.type == "trailer" and last.children[0].value == "("


def _is_side_effect_assignment(node):
    """``obj.attr = ...``, ``obj[key] = ...`` or ``x += ...``: a write whose removal leaves no NameError behind."""
    if node.type != "expr_stmt" or len(node.children) != 3:
        return False
    target, op = node.children[0], node.children[1]
    if op.type == "operator" and op.value != "=" and op.value.endswith("="):
        return True
    return op.value == "=" and target.type == "atom_expr" and target.children[-1].type == "trailer"


class DeleteStatement(Operator):
    """A call statement or an attribute/item/augmented assignment becomes ``pass``: is its effect checked?"""

    def mutation_positions(self, node):
        if _is_call_statement(node) or _is_side_effect_assignment(node):
            yield (node.start_pos, node.end_pos)

    def mutate(self, node, index):
        return _pass_like(node)

    @classmethod
    def examples(cls):
        return (Example("def f(a):\n    a.append(1)\n", "def f(a):\n    pass\n"),
                Example("def f(a):\n    a.x = 1\n", "def f(a):\n    pass\n"),
                Example("def f(a):\n    a += 1\n", "def f(a):\n    pass\n"))


class Provider:
    """The ``kkmp`` operator provider (same interface as cosmic-ray's core provider)."""

    _OPERATORS = {op.__name__: op for op in (RemoveRaise, ReturnNone, DeleteStatement)}

    def __iter__(self):
        return iter(self._OPERATORS)

    def __getitem__(self, name):
        return self._OPERATORS[name]


def register():
    """Add the ``kkmp`` provider to cosmic-ray's plugin table (no entry point needed: the runner calls this)."""
    import cosmic_ray.plugins

    cosmic_ray.plugins.OPERATOR_PROVIDERS.setdefault("kkmp", Provider())
