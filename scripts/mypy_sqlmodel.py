"""mypy plugin: a SQLModel table's field, read on the class, is a SQLAlchemy column attribute.

SQLModel declares ``Lead.status`` as ``LeadStatus``, so mypy reads ``Lead.status == x`` as a
``bool`` and ``Lead.id.in_(...)`` as an error, while at run time both are SQLAlchemy
``InstrumentedAttribute`` expressions. SQLModel's own answer is wrapping every such use in
``col()``; this plugin gives the class attribute its run-time type instead, so queries stay as
written and are still checked (``Lead.statuss`` or ``Lead.status.in_(1)`` are errors).
Instances keep the declared types: ``lead.status`` is a ``LeadStatus``.

Every SQLModel class is treated so, tables or not: pydantic (hence SQLModel) answers
``AttributeError`` for a field read on a class that is not a table, so no working code does it.
(Telling tables apart needs the ``table=True`` class keyword at semantic analysis, a hook that
mypy gives to one plugin only, and pydantic's own plugin holds it.)
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.nodes import TypeInfo, Var
from mypy.plugin import AttributeContext, Plugin
from mypy.types import CallableType, Instance, ProperType, Type, TypeType, get_proper_type

SQLMODEL = "sqlmodel.main.SQLModel"
ATTRIBUTE = "sqlalchemy.orm.attributes.InstrumentedAttribute"


def _class_info(typ: ProperType) -> TypeInfo | None:
    """The class behind ``Lead`` (a type object) or ``type[Lead]``, when the name says
    nothing (a class defined in a function)."""
    if isinstance(typ, CallableType) and typ.is_type_obj():
        return typ.type_object()
    if isinstance(typ, TypeType):
        item = get_proper_type(typ.item)
        if isinstance(item, Instance):
            return item.type
    return None


class SQLModelPlugin(Plugin):
    """Types ``Table.field`` as ``InstrumentedAttribute[declared type]``."""

    def get_class_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        owner, _, name = fullname.rpartition(".")
        if name.startswith("_"):
            return None

        def column_attribute(ctx: AttributeContext) -> Type:
            # The class from the hook's name: for ``model.x`` with ``model`` one of several
            # classes, ctx.type is the whole union.
            cls = self.lookup_fully_qualified(owner)
            info = cls.node if cls and isinstance(cls.node, TypeInfo) else _class_info(ctx.type)
            if ctx.is_lvalue or info is None:
                return ctx.default_attr_type
            node = info.get(name)
            if node is None or not isinstance(node.node, Var):
                return ctx.default_attr_type
            var = node.node
            if var.is_classvar or var.is_property or var.info.fullname == SQLMODEL:
                return ctx.default_attr_type
            if not any(base.fullname == SQLMODEL for base in info.mro):
                return ctx.default_attr_type
            attribute = self.lookup_fully_qualified(ATTRIBUTE)
            if attribute is None or not isinstance(attribute.node, TypeInfo):
                return ctx.default_attr_type
            return Instance(attribute.node, [ctx.default_attr_type])

        return column_attribute


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point."""
    return SQLModelPlugin
