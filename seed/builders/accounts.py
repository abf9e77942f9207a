"""The court's users: admin, judges, officers, mediators, deputies, grid assistants (235
x scale, one to four x scale per village) and one liaison per linkage unit, with their grid
assignments and the logins the loader prints."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from enforcement.models import Role
from seed.context import CountyDraft
from seed.places import Place
from seed.records.court import DemoGridAssignment, DemoLogin, DemoUser
from seed.values import local_moment, rand_date


def _user(draft: CountyDraft, username: str, role: Role, organisation: str | None,
          linkage_unit_id: str | None = None, hui: bool = False,
          created: date = date(2022, 3, 1)) -> DemoUser:
    name, _ = draft.identities.person_name(hui=hui)
    user = DemoUser(
        court_id=draft.court_id, id=draft.uid(), username=username, display_name=name,
        role=role, phone=draft.identities.phone(), organisation=organisation,
        linkage_unit_id=linkage_unit_id, created_at=local_moment(created, draft.rng),
    )
    draft.users.append(user)
    return user


def build_users(draft: CountyDraft) -> None:
    """Every user of the court, their grid assignments, and the logins the loader prints
    (one per role, with the range of usernames)."""
    rng = draft.rng
    draft.users = []
    draft.grid_assignments = []
    draft.admin = _user(draft, "admin", Role.ADMIN, "正宁县人民法院信息技术科")
    draft.judges = [_user(draft, f"judge{i}", Role.JUDGE, "正宁县人民法院执行局")
                    for i in range(1, 5)]
    teams = ("执行局执行一组", "执行局执行二组", "山河人民法庭", "永和人民法庭",
             "榆林子人民法庭", "宫河人民法庭")
    draft.officers = [_user(draft, f"officer{i}", Role.OFFICER, teams[(i - 1) % len(teams)])
                      for i in range(1, 17)]
    # Officers by township: officer i serves township (i - 1) % 10.
    draft.officers_by_township = defaultdict(list)
    for i, officer in enumerate(draft.officers):
        draft.officers_by_township[draft.townships[i % 10].id].append(officer)

    draft.mediators = []
    draft.mediators_by_township = defaultdict(list)
    for i in range(20):
        township = draft.townships[i % 10]
        mediator = _user(
            draft, f"mediator{i + 1}", Role.MEDIATOR, f"{township.name}乡贤调解工作室",
            hui=township.name.endswith("回族乡"), created=date(2022, 5, 10),
        )
        draft.mediators.append(mediator)
        draft.mediators_by_township[township.id].append(mediator)
        for place in draft.places_by_township[township.id]:
            draft.grid_assignments.append(DemoGridAssignment(
                court_id=draft.court_id, id=draft.uid(), user_id=mediator.id,
                village_grid_id=place.village.id, started_on=date(2022, 5, 10),
                created_at=mediator.created_at,
            ))

    delegations = ("正宁县人大代表",) * 14 + ("正宁县政协委员",) * 10 + (
        "庆阳市人大代表",) * 3 + ("庆阳市政协委员",) * 2 + ("甘肃省人大代表",)
    draft.deputies = [_user(draft, f"deputy{i + 1}", Role.DEPUTY, delegations[i],
                            created=date(2023, 3, 1)) for i in range(30)]

    # Grid assistants: every village one, some up to four (x scale); assistant1..3 in
    # the showcase village.
    per_village = {p.village.id: 1 for p in draft.places}
    per_village[draft.showcase.village.id] = 3
    total = 235 * draft.scale
    cap = 4 * draft.scale
    weights = [p.village.households for p in draft.places]
    while sum(per_village.values()) < total:
        place = rng.choices(draft.places, weights)[0]
        if per_village[place.village.id] < cap:
            per_village[place.village.id] += 1
    ordered = [draft.showcase] + [p for p in draft.places if p is not draft.showcase]
    draft.assistants_by_village = defaultdict(list)
    number = 0
    for place in ordered:
        for _ in range(per_village[place.village.id]):
            number += 1
            started = rand_date(rng, date(2022, 3, 1), date(2024, 12, 31))
            user = _user(
                draft, f"assistant{number}", Role.GRID_ASSISTANT, f"{place.village.name}村民委员会",
                hui=place.township.name.endswith("回族乡"), created=started,
            )
            draft.assistants_by_village[place.village.id].append(user)
            draft.grid_assignments.append(DemoGridAssignment(
                court_id=draft.court_id, id=draft.uid(), user_id=user.id,
                village_grid_id=place.village.id, started_on=started,
                created_at=user.created_at,
            ))

    draft.liaisons = {}
    for i, unit in enumerate(draft.linkage_units):
        user = _user(draft, f"liaison{i + 1}", Role.LIAISON_UNIT, unit.name,
                     linkage_unit_id=unit.id, created=date(2023, 6, 1))
        unit.contact_name = user.display_name
        unit.contact_phone = user.phone
        draft.liaisons[unit.id] = user

    draft.logins = [
        DemoLogin(username="admin", role=Role.ADMIN, display_name=draft.admin.display_name,
                  note="系统管理员 administrator"),
        DemoLogin(username="judge1", role=Role.JUDGE,
                  display_name=draft.judges[0].display_name,
                  note="执行法官 judge (judge1-judge4)"),
        DemoLogin(username="officer1", role=Role.OFFICER,
                  display_name=draft.officers[0].display_name,
                  note="执行干警 enforcement officer (officer1-officer16)"),
        DemoLogin(username="assistant1", role=Role.GRID_ASSISTANT,
                  display_name=draft.users[next(
                      i for i, u in enumerate(draft.users) if u.username == "assistant1")
                  ].display_name,
                  note=f"网格协执员 grid assistant, {draft.showcase.township.name}"
                       f"{draft.showcase.village.name} (assistant1-assistant{total})"),
        DemoLogin(username="mediator1", role=Role.MEDIATOR,
                  display_name=draft.mediators[0].display_name,
                  note=f"乡贤调解员 mediator, {draft.townships[0].name} (mediator1-mediator20)"),
        DemoLogin(username="deputy1", role=Role.DEPUTY,
                  display_name=draft.deputies[0].display_name,
                  note="人大代表/政协委员 deputy (deputy1-deputy30)"),
        DemoLogin(username="liaison1", role=Role.LIAISON_UNIT,
                  display_name=draft.liaisons[draft.linkage_units[0].id].display_name,
                  note=f"联动单位 liaison, {draft.linkage_units[0].name} (liaison1-liaison13)"),
    ]


def author_for(draft: CountyDraft, place: Place) -> DemoUser:
    """A grid assistant of the village to sign a report from it (in the showcase village
    mostly assistant1, so that login has plenty to see)."""
    assistants = draft.assistants_by_village[place.village.id]
    if place is draft.showcase and draft.rng.random() < 0.6:
        return assistants[0]
    return draft.rng.choice(assistants)
