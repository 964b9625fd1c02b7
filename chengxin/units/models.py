"""Organisation units (the 19 bodies, provincial units, cities and counties) and the accounts that belong to them."""

from django.contrib.auth.models import AbstractUser
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
        """Record when the password was last changed (MLPS level 3 periodic change, see chengxin.units.passwords).

        `set_password()` leaves the new password in `_password` until the save; Django clears it for a mere hash
        upgrade at login, which therefore does not count as a change. A password given to an account that is
        being created (by an administrator) is an initial password: `password_changed_at` stays empty and
        PasswordAgeMiddleware makes the owner choose their own at first sign-in.
        """
        if self._password is not None and not self._state.adding:
            self.password_changed_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "password" in update_fields:
                kwargs["update_fields"] = {*update_fields, "password_changed_at"}
        super().save(*args, **kwargs)

    @property
    def is_national(self) -> bool:
        return self.role in (Role.NATIONAL_ADMIN, Role.NATIONAL_REVIEWER)

    @property
    def is_national_admin(self) -> bool:
        return self.role == Role.NATIONAL_ADMIN

    def oversees(self, unit: Unit) -> bool:
        """True if this account's unit is above `unit` in the reporting hierarchy (a province over its cities
        and counties): it may read their reports and completeness."""
        if self.role != Role.UNIT_REPORTER or self.unit_id is None or unit.parent_id is None:
            return False
        if unit.parent_id == self.unit_id:
            return True
        parent = unit.parent
        return parent.parent_id is not None and parent.parent_id == self.unit_id

    def reviews(self, unit: Unit) -> bool:
        """True if this account reviews (returns, accepts) `unit`'s reports: the ministry reviews the units
        that report to it directly; a unit with sub-units reviews its direct sub-units."""
        if unit.parent_id is None:
            return self.is_national
        return self.role == Role.UNIT_REPORTER and self.unit_id == unit.parent_id

    def reads(self, unit: Unit) -> bool:
        """True if this account may read `unit`'s report: its own, the ministry, or a unit above it."""
        return self.is_national or self.reports_for(unit) or self.oversees(unit)

    def reports_for(self, unit: Unit) -> bool:
        """True if this account fills in the given unit's report."""
        return self.role == Role.UNIT_REPORTER and self.unit_id is not None and self.unit_id == unit.pk
