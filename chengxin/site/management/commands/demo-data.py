import time

from django.core.management.base import BaseCommand, CommandError

from chengxin.core.errors import DomainError
from chengxin.site.demo_data import DEMO_MARK, demo_data_create, parse_years
from chengxin.units.demo import DEMO_TWO_FACTOR_HINT
from chengxin.units.models import UnitKind


class Command(BaseCommand):
    help = (
        "Build a realistic multi-year, multi-level demo data set: cities and counties under the 37 provincial "
        "units, a campaign per year, reports with figures, statuses and history. Everything created is marked "
        f"{DEMO_MARK}; --reset removes it (and nothing else) before building again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", default="2016-2020", help="年度，如 2016-2020 或 2018,2020（默认 2016-2020）")
        parser.add_argument("--units", type=int, default=3400, help="单位总数，含 56 个全国和省级单位（默认 3400）")
        parser.add_argument("--seed", type=int, default=2020, help="随机种子：同一种子生成同样的数据（默认 2020）")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="先删除以前生成的演示数据（真实单位、报送和活动不动），再重新生成",
        )

    def handle(self, *args, years: str, units: int, seed: int, reset: bool, **options):
        started = time.perf_counter()
        try:
            result = demo_data_create(
                years=parse_years(years), units=units, seed=seed, reset=reset, progress=self.stdout.write
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        seconds = time.perf_counter() - started
        if result.removed:
            removed = result.removed
            self.stdout.write(
                f"已删除以前的演示数据：{removed['reports']} 份报送，{removed['units']} 个单位，"
                f"{removed['accounts']} 个账号，{removed['campaigns']} 个年度活动"
            )
        kinds = "，".join(f"{UnitKind(k).label} {n} 个" for k, n in sorted(result.units_by_kind.items()))
        self.stdout.write(
            f"演示数据：{result.years[0]}–{result.years[-1]} 年（{len(result.years)} 个年度），"
            f"新建单位 {result.units_created} 个（{kinds}），"
            f"报送 {result.reports} 份，指标值 {result.values} 个，历史记录 {result.events} 条；"
            f"用时 {seconds:.1f} 秒"
        )
        if result.kept_real_reports:
            self.stdout.write(f"保留了 {result.kept_real_reports} 份真实报送（未改动，这些单位该年没有演示报送）")
        if result.accounts:
            self.stdout.write("演示账号（仅开发环境）：")
            for username, password, role, unit in result.accounts:
                self.stdout.write(f"  {username} / {password}  {role}  {unit}")
            self.stdout.write(DEMO_TWO_FACTOR_HINT)
