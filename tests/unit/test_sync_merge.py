"""The field-level merge rules, as examples and as properties over random records."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sync.merge import FieldConflict, Owner, Rejection, accepted_fields, merge

OWNERS = {
    "c1": Owner.CLIENT, "c2": Owner.CLIENT, "s1": Owner.SERVER, "s2": Owner.SERVER,
    "h1": Owner.SHARED, "h2": Owner.SHARED, "h3": Owner.SHARED,
}
values = st.one_of(st.none(), st.integers(0, 3), st.sampled_from(["a", "b", "文"]))
records = st.fixed_dictionaries({name: values for name in OWNERS})
writable = [name for name, owner in OWNERS.items() if owner is not Owner.SERVER]


def state_after(server: dict[str, Any], changes: dict[str, Any], base: dict[str, Any]) -> dict:
    return server | merge(base=base, server=server, changes=changes, owners=OWNERS).updates


def test_client_field_wins_even_over_a_server_change():
    result = merge(base={"c1": "a"}, server={"c1": "b"}, changes={"c1": "c"}, owners=OWNERS)
    assert result.updates == {"c1": "c"} and result.applied == ("c1",)


def test_server_field_write_is_rejected_not_dropped():
    result = merge(base={"s1": 1}, server={"s1": 1}, changes={"s1": 2}, owners=OWNERS)
    assert result.updates == {} and result.rejected == {"s1": Rejection.SERVER_OWNED}


def test_echoing_a_server_field_unchanged_is_not_a_write():
    result = merge(base={"s1": 1}, server={"s1": 2}, changes={"s1": 1}, owners=OWNERS)
    assert result.rejected == {} and result.updates == {}


def test_shared_field_true_clash_keeps_server_and_reports_both():
    result = merge(base={"h1": "a"}, server={"h1": "b"}, changes={"h1": "c"}, owners=OWNERS)
    assert result.updates == {}
    assert result.conflicts == {"h1": FieldConflict(base="a", server="b", client="c")}


def test_shared_field_changed_on_one_side_only_takes_that_side():
    client_side = merge(base={"h1": "a"}, server={"h1": "a"}, changes={"h1": "c"}, owners=OWNERS)
    server_side = merge(base={"h1": "a"}, server={"h1": "b"}, changes={"h1": "a"}, owners=OWNERS)
    assert client_side.updates == {"h1": "c"}
    assert server_side.updates == {} and server_side.conflicts == {}


def test_unknown_base_and_unknown_field():
    result = merge(base=None, server={"h1": "b"}, changes={"h1": "c", "zz": 1}, owners=OWNERS)
    assert result.conflicts["h1"].base_known is False
    assert result.rejected == {"zz": Rejection.UNKNOWN_FIELD}


def test_create_takes_client_and_shared_fields_and_rejects_the_rest():
    values_, rejected = accepted_fields({"c1": 1, "h1": 2, "s1": 3, "zz": 4}, OWNERS)
    assert values_ == {"c1": 1, "h1": 2}
    assert rejected == {"s1": Rejection.SERVER_OWNED, "zz": Rejection.UNKNOWN_FIELD}


@given(base=records, server=records, changes=st.dictionaries(st.sampled_from(list(OWNERS)), values))
def test_applying_the_same_change_twice_equals_once(base, server, changes):
    once = state_after(server, changes, base)
    assert state_after(once, changes, base) == once


@given(base=records, server=records,
       changes=st.dictionaries(st.sampled_from([*OWNERS, "zz"]), values))
def test_nothing_is_lost(base, server, changes):
    """Every client value ends up in the record, in a conflict, in a rejection, or was an
    unchanged echo of a server-owned field."""
    result = merge(base=base, server=server, changes=changes, owners=OWNERS)
    state = server | result.updates
    for name, value in changes.items():
        if name in result.conflicts:
            assert result.conflicts[name].client == value
            assert state[name] == server[name]
        elif name in result.rejected:
            assert state.get(name) == server.get(name)
        elif OWNERS[name] is Owner.SHARED and value == base[name]:
            assert state[name] == server[name]  # the client did not change it
        elif OWNERS[name] is Owner.SERVER:
            assert value in (server[name], base[name])
        else:
            assert state[name] == value


@given(base=records, data=st.data())
def test_disjoint_edits_by_two_devices_both_survive_in_either_order(base, data):
    names = data.draw(st.lists(st.sampled_from(writable), unique=True, min_size=2))
    split = data.draw(st.integers(1, len(names) - 1))
    first = {n: data.draw(values) for n in names[:split]}
    second = {n: data.draw(values) for n in names[split:]}
    one_then_two = state_after(state_after(dict(base), first, base), second, base)
    two_then_one = state_after(state_after(dict(base), second, base), first, base)
    assert one_then_two == two_then_one == base | first | second
