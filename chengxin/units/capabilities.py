"""Who may do what: the one table of capabilities, role × action, each with the rule of the units it reaches.

Views (through `capability_required` in `units.permissions`), the API, services and the middlewares ask `can`;
the `User` methods (`reads`, `reviews`, `reports_for`, `is_national` …) are spelled with it. The access test
(`reporting/tests/test_access.py`) walks every URL for every persona and checks its expectations against this
table, so a change here that the pages do not follow (or the reverse) fails the build.

Scopes (which units an action reaches, for actions about one unit):
- ALL: every unit;
- TOP: the units that report to the ministry directly (no parent);
- OWN: the account's own unit;
- OWN_AND_BELOW: the own unit and the units under it (two levels: a province's cities and their counties);
- CHILDREN: the units directly under the account's unit (a province reviews its cities);
- ANY: the action is not about a unit (a page of one's own, a national page).
"""

from enum import StrEnum

from chengxin.units.models import Role, Unit


class Action(StrEnum):
    FILL_REPORT = "fill_report"  # fill in, import, submit and withdraw a unit's statistics table and summary
    READ_REPORT = "read_report"  # open a unit's report, its print view and history
    REVIEW_REPORT = "review_report"  # return or accept a unit's submitted report
    REGISTER_ACTIVITY = "register_activity"  # register, publish a unit's activities, cases, indices, replies
    VIEW_NATIONAL = "view_national"  # completeness, totals, dashboards, exports of every unit
    MODERATE = "moderate"  # commitments and cases waiting for publication
    MANAGE_CAMPAIGN = "manage_campaign"  # dates, exceptions, the form, publishing totals, a new year's copy
    MANAGE_ACCOUNTS = "manage_accounts"  # units and accounts in the Django admin (系统管理员)
    MANAGE_SECURITY = "manage_security"  # unlock, reset a second factor or password, approve (安全管理员)
    READ_AUDIT = "read_audit"  # the audit log, its export and its check (审计员)


class Scope(StrEnum):
    ANY = "any"
    ALL = "all"
    TOP = "top"
    OWN = "own"
    OWN_AND_BELOW = "own_and_below"
    CHILDREN = "children"


CAPABILITIES: dict[str, dict[Action, tuple[Scope, ...]]] = {
    Role.NATIONAL_ADMIN: {
        Action.READ_REPORT: (Scope.ALL,),
        Action.REVIEW_REPORT: (Scope.TOP,),
        Action.VIEW_NATIONAL: (Scope.ANY,),
        Action.MODERATE: (Scope.ANY,),
        Action.MANAGE_CAMPAIGN: (Scope.ANY,),
    },
    Role.NATIONAL_REVIEWER: {
        Action.READ_REPORT: (Scope.ALL,),
        Action.REVIEW_REPORT: (Scope.TOP,),
        Action.VIEW_NATIONAL: (Scope.ANY,),
        Action.MODERATE: (Scope.ANY,),
    },
    Role.UNIT_REPORTER: {
        Action.FILL_REPORT: (Scope.OWN,),
        Action.READ_REPORT: (Scope.OWN_AND_BELOW,),
        Action.REVIEW_REPORT: (Scope.CHILDREN,),
        Action.REGISTER_ACTIVITY: (Scope.OWN,),
    },
    # The three administrative roles (三权分立): none of them reads or writes reports; each has its own pages.
    Role.SYSTEM_ADMIN: {Action.MANAGE_ACCOUNTS: (Scope.ANY,)},
    Role.SECURITY_ADMIN: {Action.MANAGE_SECURITY: (Scope.ANY,)},
    Role.AUDITOR: {Action.READ_AUDIT: (Scope.ANY,)},
}

# The URL namespace each administrative capability opens (DutiesMiddleware): everything else of the site is
# closed to the administrative roles but their account pages and the public ones.
NAMESPACE_OF = {
    Action.MANAGE_ACCOUNTS: "admin",
    Action.MANAGE_SECURITY: "accounts",
    Action.READ_AUDIT: "audit",
}


def roles_with(action: Action) -> frozenset[str]:
    return frozenset(role for role, actions in CAPABILITIES.items() if action in actions)


def _in_scope(user, scope: Scope, unit: Unit | None) -> bool:
    if scope in (Scope.ANY, Scope.ALL):
        return True
    if scope == Scope.TOP:
        return unit.parent_id is None
    if user.unit_id is None:
        return False
    if scope == Scope.OWN:
        return unit.pk == user.unit_id
    if scope == Scope.CHILDREN:
        return unit.parent_id is not None and unit.parent_id == user.unit_id
    if scope == Scope.OWN_AND_BELOW:
        if unit.pk == user.unit_id or unit.parent_id is None:
            return unit.pk == user.unit_id
        if unit.parent_id == user.unit_id:
            return True
        parent = unit.parent  # one more level: a province over its cities' counties
        return parent.parent_id is not None and parent.parent_id == user.unit_id
    raise ValueError(scope)  # pragma: no cover - every Scope is handled above


def can(user, action: Action, unit: Unit | None = None) -> bool:
    """True if `user` may do `action` to `unit`; without a unit, if the role may do it to some unit (a menu
    entry, a view's first check: the view then asks again with the unit). An anonymous account may do nothing.
    (Whether the account is active is the sign-in's concern: the command line acts as an inactive
    system account, `workbooks.services.system_user`.)"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    scopes = CAPABILITIES.get(user.role, {}).get(action, ())
    if unit is None:
        return bool(scopes)
    return any(_in_scope(user, scope, unit) for scope in scopes)
