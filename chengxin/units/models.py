"""Organisation units (the 19 bodies, provincial units, cities and counties) and the accounts that belong to them."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("省、自治区、直辖市")
    PLANNED_CITY = "planned_city", _("计划单列市")
    CORPS = "corps", _("新疆生产建设兵团")
    CITY = "city", _("地市商务主管部门")
    COUNTY = "county", _("区县商务主管部门")
    NATIONAL_BODY = "national_body", _("国家部门和单位")


PROVINCIAL_KINDS = (UnitKind.PROVINCE, UnitKind.PLANNED_CITY, UnitKind.CORPS)


class Unit(models.Model):
    """A reporting or organising unit.

    Provincial units use their GB/T 2260 code as `code` and `region_code`; 新疆生产建设兵团 reports under
    the non-standard code 660000 and has no `region_code`; national bodies use short uppercase codes.
    """

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40)
    full_name = models.CharField(_("全称"), max_length=200, blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    population = models.PositiveBigIntegerField(
        _("常住人口"), null=True, blank=True, help_text=_("用于计算每万人覆盖人次；不知道时留空")
    )

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="corps") | models.Q(region_code=""),
                name="corps_has_no_standard_region_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The hierarchy is province › city › county at most: the roll-up counting rule relies on it."""
        from django.core.exceptions import ValidationError

        if self.parent_id is None:
            if self.kind in (UnitKind.CITY, UnitKind.COUNTY):
                raise ValidationError({"parent": _("地市和区县单位须指定上级单位")})
            return
        parent = self.parent
        if self.kind in (*PROVINCIAL_KINDS, UnitKind.NATIONAL_BODY):
            raise ValidationError({"parent": _("省级单位和国家部门直接向商务部报送，不能有上级单位")})
        if parent.kind == UnitKind.COUNTY or (parent.parent_id is not None and parent.parent.parent_id is not None):
            raise ValidationError({"parent": _("上级单位最多两级（省级 › 地市 › 区县）")})
        if self.kind == UnitKind.CITY and parent.kind not in PROVINCIAL_KINDS:
            raise ValidationError({"parent": _("地市单位的上级须为省级单位")})

    @property
    def is_provincial(self) -> bool:
        return self.kind in PROVINCIAL_KINDS

    @property
    def is_national_body(self) -> bool:
        return self.kind == UnitKind.NATIONAL_BODY


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("国家管理员")
    NATIONAL_REVIEWER = "national_reviewer", _("国家审核员")
    UNIT_REPORTER = "unit_reporter", _("单位填报员")
    # Separation of duties (三权分立, MLPS 2.0 level 3): three administrative roles besides the reporting ones.
    # An account has exactly one role, so no one holds two of them.
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDITOR = "auditor", _("审计员")


# The three administrative roles (三权分立): none of them reads or writes reports; each has its own pages.
ADMIN_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR)
# The roles a system administrator may give an account in the Django admin. The administrative roles are given
# only from the command line on the server (`chengxin create-admin`), so no administrator can make another one.
REPORTING_ROLES = (Role.NATIONAL_ADMIN, Role.NATIONAL_REVIEWER, Role.UNIT_REPORTER)
# What a role may do in the Django admin, besides what a superuser may (development only, see User.save).
# The system administrator manages units and accounts; deleting an account is not among it (deactivate
# instead: the account's history stays). The security administrator and the auditor have pages of their own
# and do not enter the Django admin at all.
ROLE_PERMISSIONS = {
    Role.SYSTEM_ADMIN: frozenset(
        {
            "units.view_unit",
            "units.add_unit",
            "units.change_unit",
            "units.view_user",
            "units.add_user",
            "units.change_user",
        }
    ),
}


class User(AbstractUser):
    """An account always belongs to one unit and has one role."""

    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, default=Role.UNIT_REPORTER)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    password_changed_at = models.DateTimeField(
        _("密码修改时间"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("空表示账号仍在使用管理员设置的初始密码，首次登录须修改"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        """Record when the password was last changed (MLPS level 3 periodic change, see chengxin.units.passwords),
        derive the Django admin entrance from the role, and refuse a superuser in production.

        `set_password()` leaves the new password in `_password` until the save; Django clears it for a mere hash
        upgrade at login, which therefore does not count as a change. A password given to an account that is
        being created (by an administrator) is an initial password: `password_changed_at` stays empty and
        PasswordAgeMiddleware makes the owner choose their own at first sign-in.

        `is_staff` (may open the Django admin) follows from the role: the system administrator, and a superuser.
        A superuser can do everything, which separation of duties (三权分立) forbids: production refuses to
        save one (`createsuperuser` is for a developer's machine; the production break-glass is
        `chengxin create-admin`, which creates one of the three administrators).
        """
        if self.is_superuser and settings.PRODUCTION:
            raise ValidationError(
                _(
                    "生产环境不允许超级用户账号（三权分立）："
                    "请用 chengxin create-admin 创建系统管理员、安全管理员或审计员"
                )
            )
        update_fields = kwargs.get("update_fields")
        from chengxin.units.capabilities import Action, can

        self.is_staff = self.is_superuser or can(self, Action.MANAGE_ACCOUNTS)  # the Django admin's entrance
        if update_fields is not None and {"role", "is_superuser"} & set(update_fields):
            kwargs["update_fields"] = update_fields = {*update_fields, "is_staff"}
        if self._password is not None and not self._state.adding:
            self.password_changed_at = timezone.now()
            if update_fields is not None and "password" in update_fields:
                kwargs["update_fields"] = {*update_fields, "password_changed_at"}
        super().save(*args, **kwargs)

    def has_perm(self, perm, obj=None) -> bool:
        """Django's permissions, plus those the account's role brings (ROLE_PERMISSIONS)."""
        if self.is_active and perm in ROLE_PERMISSIONS.get(self.role, ()):
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_active and any(p.startswith(f"{app_label}.") for p in ROLE_PERMISSIONS.get(self.role, ())):
            return True
        return super().has_module_perms(app_label)

    # What an account may do is said once, in units/capabilities.py; these are its common questions.

    @property
    def is_administrator(self) -> bool:
        """One of the three administrative roles (system, security, audit)."""
        return self.role in ADMIN_ROLES

    @property
    def is_national(self) -> bool:
        """Ministry staff: sees the national pages (reviewers and the administrator)."""
        from chengxin.units.capabilities import Action, can

        return can(self, Action.VIEW_NATIONAL)

    @property
    def is_national_admin(self) -> bool:
        from chengxin.units.capabilities import Action, can

        return can(self, Action.MANAGE_CAMPAIGN)

    def oversees(self, unit: Unit) -> bool:
        """True if this account's unit is above `unit` in the reporting hierarchy (a province over its cities
        and counties): it may read their reports and completeness."""
        return unit.pk != self.unit_id and not self.is_national and self.reads(unit)

    def reviews(self, unit: Unit) -> bool:
        """True if this account reviews (returns, accepts) `unit`'s reports: the ministry reviews the units
        that report to it directly; a unit with sub-units reviews its direct sub-units."""
        from chengxin.units.capabilities import Action, can

        return can(self, Action.REVIEW_REPORT, unit)

    def reads(self, unit: Unit) -> bool:
        """True if this account may read `unit`'s report: its own, the ministry, or a unit above it."""
        from chengxin.units.capabilities import Action, can

        return can(self, Action.READ_REPORT, unit)

    def reports_for(self, unit: Unit) -> bool:
        """True if this account fills in the given unit's report."""
        from chengxin.units.capabilities import Action, can

        return can(self, Action.FILL_REPORT, unit)


class ApprovalKind(models.TextChoices):
    ROLE_GRANT = "role_grant", _("授予业务角色")
    PASSWORD_RESET = "password_reset", _("重置密码")
    TWO_FACTOR_RESET = "two_factor_reset", _("重置双因素认证")


class ApprovalState(models.TextChoices):
    PENDING = "pending", _("待批准")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已拒绝")


class Approval(models.Model):
    """A change one person may not make alone (two-person rule, 三权分立): a business role or a reviewer's scope the
    system administrator gives an account, which takes effect once a security administrator approves; a reset of
    an administrative or national account's password or second factor, which takes effect once a second security
    administrator approves (chengxin.units.services)."""

    kind = models.CharField(_("类别"), max_length=20, choices=ApprovalKind.choices)
    user = models.ForeignKey(User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="approvals")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT)
    requested_by = models.ForeignKey(User, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    state = models.CharField(_("状态"), max_length=10, choices=ApprovalState.choices, default=ApprovalState.PENDING)
    decided_by = models.ForeignKey(
        User, verbose_name=_("批准人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("待批准的变更")
        verbose_name_plural = _("待批准的变更")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(state="pending"),
                name="approval_one_pending_per_user_and_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.user}"
