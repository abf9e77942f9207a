"""Tasks the court sends to the grids (find a debtor, verify an address...) and the
assistants' answers."""

from __future__ import annotations

from datetime import timedelta

from enforcement.models import TaskKind, TaskStatus
from seed.builders.accounts import author_for
from seed.context import CaseState, CountyDraft
from seed.places import point_in, report_fields
from seed.records.field import DemoTask, DemoTaskAnswer, DemoTaskGrid
from seed.reference import AS_OF, FIELD_START
from seed.values import end_of, local_moment, rand_date, weighted


def build_tasks(draft: CountyDraft) -> None:
    """40 x scale tasks to the grids of active cases, with the assistants' answers."""
    rng = draft.rng
    draft.tasks = []
    draft.task_grids = []
    draft.task_answers = []
    pool = [s for s in draft.states if s.category in ("open", "progress", "resumed",
                                                      "terminated")]
    kinds = ((TaskKind.FIND_DEBTOR, 35), (TaskKind.VERIFY_ADDRESS, 25),
             (TaskKind.DELIVER_NOTICE, 20), (TaskKind.CHECK_PROPERTY, 15),
             (TaskKind.OTHER, 5))
    while len(draft.tasks) < 40 * draft.scale:
        state = rng.choice(pool)
        kind = weighted(rng, kinds)
        name = state.debtor.name
        title, body = {
            TaskKind.FIND_DEBTOR: (f"查找被执行人{name}下落",
                                   f"请协助查找{name}目前居住地及联系方式，发现后立即报告。"),
            TaskKind.VERIFY_ADDRESS: (f"核实被执行人{name}现住址",
                                      f"请核实{name}是否仍居住在{state.debtor.address}。"),
            TaskKind.DELIVER_NOTICE: (f"协助送达{case_number(state)}执行通知书",
                                      f"请协助向{name}送达执行通知书、报告财产令。"),
            TaskKind.CHECK_PROPERTY: (f"了解被执行人{name}家庭财产情况",
                                      f"请了解{name}家中房屋、车辆、牲畜、果园及收入情况。"),
            TaskKind.OTHER: (f"通知被执行人{name}到庭约谈",
                             f"请通知{name}于本周五执行接待日到法院执行局约谈。"),
        }[kind]
        lo = max(FIELD_START, state.case.filed_on + timedelta(days=3))
        hi = AS_OF - timedelta(days=2)
        if state.case.terminated_on is not None:
            hi = min(hi, state.case.terminated_on - timedelta(days=2))
        if hi < lo:
            continue
        day = rand_date(rng, lo, hi)
        created = local_moment(day, rng, 8.5, 17.5)
        due = created + timedelta(days=rng.choice((3, 5, 7, 10)))
        if due > end_of(AS_OF):
            status = TaskStatus.OPEN
        else:
            status = weighted(rng, ((TaskStatus.CLOSED, 80), (TaskStatus.OPEN, 12),
                                     (TaskStatus.CANCELLED, 8)))
        author = rng.choice(draft.judges + [o for o in draft.officers
                                            if o.id == state.case.officer_id])
        task = DemoTask(
            court_id=draft.court_id, id=draft.uid(), created_by=author.id, kind=kind,
            title=title, body=body, case_id=state.case.id, party_id=state.debtor.id,
            due_at=due, status=status, created_at=created,
        )
        draft.tasks.append(task)
        grids = [state.place]
        if kind == TaskKind.FIND_DEBTOR:
            others = [p for p in draft.places_by_township[state.place.township.id]
                      if p is not state.place]
            others.sort(key=lambda p: p.centre.distance(state.place.centre))
            grids += others[: rng.choice((0, 1, 2))]
        for place in grids:
            draft.task_grids.append(DemoTaskGrid(court_id=draft.court_id, task_id=task.id,
                                                 village_grid_id=place.village.id))
        n_answers = 0 if status == TaskStatus.CANCELLED else (
            rng.choice((1, 1, 2)) if status == TaskStatus.CLOSED else rng.choice((0, 0, 1)))
        for i in range(n_answers):
            place = grids[0] if i == 0 else rng.choice(grids)
            author_user = author_for(draft, place)
            answered = created + timedelta(hours=rng.uniform(2, 72))
            if answered > end_of(AS_OF):
                break
            result = weighted(rng, (("done", 55), ("info", 20), ("not_found", 18),
                                     ("unable", 7)))
            answer = {
                "done": f"已完成。{name}现居住在家中，电话{state.debtor.phone}可以打通。",
                "info": f"{name}目前在外打工，春节前后回村。",
                "not_found": f"经走访邻居，{name}已半年未回村，去向不明。",
                "unable": "该户常年锁门，无法联系。",
            }[result]
            near = state.debtor.home_point if place is state.place else None
            point = point_in(draft.rng, place, near=near, radius_m=60)
            draft.task_answers.append(DemoTaskAnswer(
                court_id=draft.court_id, id=draft.uid(), task_id=task.id,
                author_id=author_user.id, result=result, answer=answer,
                answered_at=answered, created_at=answered + timedelta(minutes=2),
                **report_fields(draft.rng, point, place),
            ))


def case_number(state: CaseState) -> str:
    """The case's number, as the task titles quote it."""
    return state.case.case_number
