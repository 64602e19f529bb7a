"""The `anju` command: demo, serve, import, audit, rekey, manage (see CONTRACT.md)."""

# lazy imports: the command line must set Django up before any app's module can load, and then
# loads only what the command runs.
import argparse
import getpass
import os
import subprocess
import sys
from pathlib import Path


def _setup(*, http_demo: bool = False) -> None:
    if http_demo:
        # The demo serves plain http on 127.0.0.1 and logs in with the password alone;
        # production keeps the https and two-factor defaults.
        os.environ.setdefault("ANJU_HTTPS", "0")
        os.environ.setdefault("ANJU_OTP_REQUIRED", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings")
    import django

    django.setup()


def cli_actor() -> str:
    """How the audit log names whoever runs a command: the operating-system account."""
    try:
        name = getpass.getuser()
    except Exception:  # no passwd entry in some containers
        name = "unknown"
    return f"命令行:{name}"


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def serve(host: str, port: int, workers: int, *, with_worker: bool = True) -> None:
    """Run the production WSGI server (gunicorn), with static files served by WhiteNoise."""
    from gunicorn.app.base import BaseApplication

    from anju.worker import die_with_parent
    from anju.wsgi import application

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("timeout", 120)
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("proc_name", "anju")
            # gunicorn's control socket is one per home directory (~/.gunicorn/gunicorn.ctl):
            # two servers on one machine (two installations, the tests) would share it.
            self.cfg.set("control_socket_disable", True)
            # A web worker whose server was killed with SIGKILL goes at once (gunicorn's own
            # check of its parent waits for a request or the timeout).
            self.cfg.set("post_fork", lambda server, worker: die_with_parent(server.pid)())

        def load(self):
            return application

    from django.db import connections

    # The migrations (and the demo) ran on this process's connections: gunicorn's workers are
    # forked from it and would all talk over the same socket, garbling each other's queries
    # under load. Each worker opens its own.
    connections.close_all()
    print(f"安居 正在提供服务：http://{host}:{port}/  （Ctrl+C 停止）", flush=True)
    worker = start_worker() if with_worker else None
    try:
        Server().run()
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()


def start_worker() -> subprocess.Popen:
    """The background task worker (`anju worker`) beside the web server, same settings; it
    dies with the server (a server killed with SIGKILL cannot stop it itself)."""
    from anju.worker import die_with_parent

    return subprocess.Popen(
        [sys.executable, "-m", "anju", "worker"],
        env=os.environ.copy(),
        preexec_fn=die_with_parent(os.getpid()),
    )


def cmd_backup(args) -> int:
    import time

    _setup()
    from anju.backup import backup, verify

    began = time.perf_counter()
    if args.verify:
        problems = verify(Path(args.path))
        for problem in problems:
            print(problem, file=sys.stderr)
        took = time.perf_counter() - began
        if problems:
            print(
                f"核对失败：{len(problems)} 张表与备份清单不符（{took:.1f} 秒）。", file=sys.stderr
            )
            return 1
        print(f"核对通过：恢复到临时数据库后各表行数和校验和与备份清单一致（{took:.1f} 秒）。")
        return 0
    folder = backup(Path(args.path))
    took = time.perf_counter() - began
    print(f"备份完成：{folder}（{took:.1f} 秒）。密钥文件不在备份中，请另行保管。")
    return 0


def cmd_restore(args) -> int:
    import time

    _setup()
    from anju.backup import restore

    began = time.perf_counter()
    try:
        restore(Path(args.path), force=args.force)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"恢复完成（{time.perf_counter() - began:.1f} 秒）。")
    return 0


def cmd_worker(args) -> int:
    """Run queued background jobs (imports, cross-check runs) until stopped: in a child process
    that is started again whenever it dies (`anju.worker.supervise`); `--batch` runs what is
    queued in this process and stops."""
    _setup()
    _migrate()
    from django.core.management import call_command

    from anju.worker import fail_interrupted, hold_liveness, new_worker_id, supervise

    if not args.batch and not args.supervised:
        from django.db import connections

        connections.close_all()
        return supervise([sys.executable, "-m", "anju", "worker", "--supervised"])

    worker_id = new_worker_id()
    hold_liveness(worker_id)  # PostgreSQL: says this worker is alive until it dies
    if interrupted := fail_interrupted():
        print(f"上次中断的任务 {interrupted} 个已标记为中断（未写入数据）。", flush=True)
    from anju.notifications.tasks import schedule

    schedule()  # the daily digest run queues the next one itself from then on
    options = ["--no-startup-delay", "--no-reload", "--worker-id", worker_id]
    if args.batch:
        options.append("--batch")
    call_command("db_worker", *options)
    return 0


def cmd_demo(args) -> int:
    _setup(http_demo=True)
    from anju.demo import load_demo, print_logins

    _migrate()
    accounts = load_demo(size=args.size, actor=cli_actor(), progress=print)
    print_logins(accounts, host=args.host, port=args.port)
    from django.conf import settings

    if not settings.OTP_REQUIRED:
        print(
            "演示环境已关闭双因素登录（ANJU_OTP_REQUIRED=0），只凭密码即可登录；"
            "生产环境默认开启，见 docs/security.md。",
            flush=True,
        )
    if not args.no_serve:
        serve(args.host, args.port, args.workers)
    return 0


def cmd_serve(args) -> int:
    _setup()
    _migrate()
    serve(args.host, args.port, args.workers, with_worker=not args.no_worker)
    return 0


def cmd_import(args) -> int:
    _setup()
    if args.kind == "reference":
        if len(args.rest) != 2:
            print("用法：anju import reference KIND FILE [--as-of YYYY-MM-DD]", file=sys.stderr)
            return 2
        args.list_kind, args.file = args.rest
    elif len(args.rest) != 1:
        print(f"用法：anju import {args.kind} FILE", file=sys.stderr)
        return 2
    else:
        args.file = args.rest[0]
    path = Path(args.file)
    if not path.is_file():
        print(f"找不到文件：{path}", file=sys.stderr)
        return 1
    if args.kind == "regions":
        from anju.regions.services import regions_import

        result = regions_import(actor=cli_actor(), data=path.read_bytes(), source=path.name)
        if not result.ok:
            for error in result.errors:
                print(error, file=sys.stderr)
            print(f"导入失败：{len(result.errors)} 处错误，未写入任何数据。", file=sys.stderr)
            return 1
        print(f"导入完成：新增 {result.created}，更名 {result.renamed}，未变 {result.unchanged}。")
        return 0
    if args.kind == "households":
        from anju.households.imports import import_households

        shown = set()

        def progress(percent, stage):
            if percent // 10 not in shown:  # every tenth of the way
                shown.add(percent // 10)
                print(f"  {stage} {percent}%", file=sys.stderr, flush=True)

        result = import_households(
            actor=cli_actor(),
            data=path.read_bytes(),
            file_name=path.name,
            progress=progress,
            stop_on_warnings=args.stop_on_warnings,
        )
        if result.errors:
            for error in result.errors:
                print(error, file=sys.stderr)
            if result.errors_left_out:
                print(f"……其余 {result.errors_left_out} 处错误未列出。", file=sys.stderr)
            print(f"导入失败：{result.error_count} 处错误，未写入任何数据。", file=sys.stderr)
            return 1
        for warning in result.warnings:
            print(warning)
        if result.warnings_left_out:
            print(f"……其余 {result.warnings_left_out} 处警告未列出。")
        if result.stopped:
            print(
                f"未导入：有 {result.warning_count} 处警告（--stop-on-warnings），未写入任何数据。",
                file=sys.stderr,
            )
            return 1
        print(
            f"导入完成：{result.rows} 行；农户新增 {result.households_created}、更新 "
            f"{result.households_updated}；改造记录新增 {result.renovations_created}、更新 "
            f"{result.renovations_updated}；警告 {result.warning_count} 处。"
        )
        return 0
    if args.kind == "reference":
        return _import_reference(args, path)
    print(f"尚不支持导入类型：{args.kind}", file=sys.stderr)
    return 2


def _top_region():
    from anju.regions.models import Region

    return Region.objects.order_by("level", "code").first()


def _import_reference(args, path: Path) -> int:
    from datetime import date

    from anju.crosscheck.choices import Kind
    from anju.crosscheck.references import import_reference
    from anju.regions.models import Region

    if args.list_kind not in Kind.values:
        print(f"名单类型应为：{' '.join(Kind.values)}", file=sys.stderr)
        return 2
    region = Region.objects.filter(code=args.region).first() if args.region else _top_region()
    if region is None:
        print("找不到区划：请先导入区划，或用 --region 指定代码", file=sys.stderr)
        return 2
    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        print("--as-of 应为 YYYY-MM-DD", file=sys.stderr)
        return 2
    result = import_reference(
        actor=cli_actor(),
        kind=args.list_kind,
        data=path.read_bytes(),
        file_name=path.name,
        region=region,
        as_of=as_of,
    )
    if not result.ok:
        for error in result.errors:
            print(error, file=sys.stderr)
        if result.errors_left_out:
            print(f"……其余 {result.errors_left_out} 处错误未列出。", file=sys.stderr)
        print(f"导入失败：{result.error_count} 处错误，未写入任何数据。", file=sys.stderr)
        return 1
    reference = result.reference
    print(f"导入完成：{reference.get_kind_display()} {reference.rows} 行（{region.name}）。")
    if result.pending or result.tasks:
        print(f"待建档农户 {result.pending} 户，鉴定任务 {result.tasks} 条。")
    return 0


def cmd_export(args) -> int:
    """`anju export households [--region CODE] --out FILE.xlsx`: the archive in the import's own
    headers and value forms, full numbers (importing it back changes nothing); audited."""
    _setup()
    import shutil

    from anju.households.exports import write_households
    from anju.households.models import Household
    from anju.regions.models import Region, subtree_bounds

    region = (
        Region.objects.filter(code=args.region.ljust(12, "0")).first()
        if args.region
        else _top_region()
    )
    if region is None:
        print(f"找不到区划「{args.region or ''}」：请先导入区划，或检查代码", file=sys.stderr)
        return 1
    households = Household.objects.filter(region__code__range=subtree_bounds(region.code)).order_by(
        "region_id", "head_name", "pk"
    )
    mark = f"农户档案（{region.name}），命令行导出，{timezone_now_text()}　仅限工作使用，不得外传"
    handle, count = write_households(households, unmasked=True, watermark=mark)
    with handle, open(args.out, "wb") as out:
        shutil.copyfileobj(handle, out)
    _exported("households.household", region, f"农户档案 {count} 户（完整号码）→ {args.out}")
    print(f"已写出 {args.out}：{region.name} 农户 {count} 户")
    return 0


def timezone_now_text() -> str:
    from django.utils import timezone

    return timezone.localtime().strftime("%Y-%m-%d %H:%M")


def _exported(obj: str, region, note: str) -> None:
    """The audit entry of a file written from the command line."""
    from anju.audit.models import Action
    from anju.audit.services import audit

    audit(actor=cli_actor(), action=Action.EXPORT, obj=obj, region_code=region.code, note=note)


def cmd_crosscheck(args) -> int:
    """Run every rule over the records in scope; write the findings as JSON and/or xlsx."""
    _setup()
    import json

    from anju.crosscheck.choices import Rule
    from anju.crosscheck.runs import as_json, execute, run_findings, start_run
    from anju.regions.models import Region

    region = Region.objects.filter(code=args.region).first() if args.region else _top_region()
    if region is None:
        print("找不到区划：请先导入区划，或用 --region 指定代码", file=sys.stderr)
        return 2
    shown = set()

    def progress(percent, stage):
        if stage not in shown:
            shown.add(stage)
            print(f"  {percent:3d}% {stage}", file=sys.stderr, flush=True)

    run = execute(start_run(actor=cli_actor(), region=region), progress=progress)
    findings = run_findings(run)
    if args.json:
        Path(args.json).write_text(
            json.dumps(as_json(findings), ensure_ascii=False, indent=1), encoding="utf-8"
        )
    if args.xlsx:
        from anju.crosscheck.exports import write_findings

        write_findings(findings, unmasked=True, path=args.xlsx)
    print(
        f"比对完成（{region.name}）：疑点 {run.found} 条，新发现 {run.new} 条，"
        f"用时 {run.seconds:.1f} 秒。"
    )
    labels = dict(Rule.choices)
    for code, n in run.counts.items():
        if n:
            print(f"  {labels.get(code, code)}: {n}")
    return 0


def cmd_audit(args) -> int:
    _setup()
    from anju.audit.head import check_heads, export_head
    from anju.audit.verify import verify_chain

    if args.action == "export-head":
        if not args.head:
            print("用法：anju audit export-head --head FILE", file=sys.stderr)
            return 2
        record = export_head(Path(args.head))
        print(f"已追加链头：第 {record['seq']} 条 {record['hash']} → {args.head}")
        return 0
    report = verify_chain()
    print(report, file=sys.stdout if report.ok else sys.stderr)
    if not report.ok:
        return 1
    if args.head:
        problems = check_heads(Path(args.head))
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            return 1
        print(f"与链头记录文件 {args.head} 一致。")
    return 0


def _json_default(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(type(value))


def cmd_report(args) -> int:
    _setup()
    import json

    from anju.reporting.reader import ReadError, read_report

    if args.what == "annex3":
        return _report_annex3(args)
    if args.what == "campaign":
        return _report_campaign(args)
    if args.what in ("annex1", "annex2"):
        return _report_annex(args)
    if not args.file:
        print("用法：anju report read FILE.xlsx", file=sys.stderr)
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(f"找不到文件：{path}", file=sys.stderr)
        return 1
    try:
        result = read_report(str(path))
    except ReadError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    except Exception as error:  # a file calamine cannot open at all
        print(f"无法读取该文件：{error}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, default=_json_default, indent=2))
    return 0


def _report_annex(args) -> int:
    """Annex 1 or 2 for one district and month, counted from the ledger now."""
    from anju.audit.models import Action
    from anju.audit.services import audit
    from anju.regions.models import Level, Region
    from anju.reporting.deadlines import parse_month
    from anju.reporting.sources import source_for

    if not (args.region and args.month and args.out):
        print(
            f"用法：anju report {args.what} --region CODE --month YYYY-MM --out FILE.xlsx",
            file=sys.stderr,
        )
        return 2
    try:
        period = parse_month(args.month)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    region = Region.objects.filter(code=args.region.ljust(12, "0")).first()
    if region is None or region.level != Level.COUNTY:
        print(f"{args.region} 不是已载入的区县代码（月报按区县编制）。", file=sys.stderr)
        return 1
    content = source_for(args.what)(region, period, "")
    Path(args.out).write_bytes(content.xlsx)
    audit(
        actor=cli_actor(),
        action=Action.EXPORT,
        obj=f"reporting.{args.what}",
        region_code=region.code,
        note=f"{region.name} {args.month} → {args.out}",
    )
    print(f"已写出 {args.out}")
    for problem in content.problems:
        print(f"注意：{problem}", file=sys.stderr)
    return 0


def _report_campaign(args) -> int:
    """The campaign summary (专项整治工作总结) as .docx, counted as of --on (default today)."""
    from datetime import date

    from django.utils import timezone

    from anju.audit.models import Action
    from anju.audit.services import audit
    from anju.campaigns.models import Campaign
    from anju.campaigns.summary import summary_docx

    if not args.id or not args.out:
        print(
            "用法：anju report campaign --id N --out FILE.docx [--on YYYY-MM-DD] [--number 文号]",
            file=sys.stderr,
        )
        return 2
    campaign = Campaign.objects.filter(pk=args.id).select_related("region").first()
    if campaign is None:
        print(f"没有编号为 {args.id} 的专项整治。", file=sys.stderr)
        return 1
    on = date.fromisoformat(args.on) if args.on else timezone.localdate()
    Path(args.out).write_bytes(summary_docx(campaign, on, number=args.number))
    audit(
        actor=cli_actor(), action=Action.EXPORT, obj=campaign, note=f"专项整治工作总结 {args.out}"
    )
    print(f"已生成 {args.out}")
    return 0


def _report_annex3(args) -> int:
    from anju.regions.models import Region
    from anju.reporting.annexes import Signature
    from anju.reporting.layout import write_annex3
    from anju.reporting.models import Contact
    from anju.reporting.queries import annex3_rows

    if not args.region or not args.out:
        print(
            "用法：anju report annex3 --region CODE [--month YYYY-MM] --out FILE.xlsx",
            file=sys.stderr,
        )
        return 2
    region = Region.objects.filter(code=args.region.ljust(12, "0")).first()
    if region is None:
        print(f"没有这个区划：{args.region}", file=sys.stderr)
        return 1
    rows = annex3_rows(region, Contact.objects.all())
    Path(args.out).write_bytes(write_annex3(rows, Signature(unit=region.name)))
    _exported("reporting.annex3", region, f"附件3 联络人名单，{len(rows)} 人 → {args.out}")
    print(f"已写出 {args.out}：{len(rows)} 名联络人。")
    return 0


def cmd_rekey(args) -> int:
    """Move every sealed value to the current key and rebuild the blind indexes (docs/operations.md:
    key rotation). Safe to interrupt and to run again."""
    _setup()
    from anju.rekey import rekey

    def progress(table: str, done: int) -> None:
        print(f"\r{table}：已重写 {done} 行", end="", flush=True)

    rewritten = rekey(actor=cli_actor(), chunk=args.chunk, progress=progress)
    print()
    for table, count in rewritten.items():
        print(f"{table}\t{count}")
    print(f"共重写 {sum(rewritten.values())} 行；全部数据已使用当前密钥。")
    return 0


def cmd_manage(args) -> int:
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["anju manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="anju", description="安居 农村住房安全监管系统")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="迁移数据库、载入演示数据并启动服务")
    demo.add_argument("--size", choices=["small", "city", "province"], default="small")
    demo.add_argument("--no-serve", action="store_true")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--workers", type=int, default=2)
    demo.set_defaults(func=cmd_demo)

    srv = sub.add_parser("serve", help="以生产服务器运行")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8000)
    srv.add_argument("--workers", type=int, default=2)
    srv.add_argument(
        "--no-worker",
        action="store_true",
        help="不在本机启动后台任务进程（多台服务器时另行运行 anju worker）",
    )
    srv.set_defaults(func=cmd_serve)

    bak = sub.add_parser("backup", help="备份数据库（含上传的文件）；--verify 恢复到临时库核对")
    bak.add_argument("path", help="备份存放目录；与 --verify 同用时为某次备份的目录")
    bak.add_argument("--verify", action="store_true")
    bak.set_defaults(func=cmd_backup)

    res = sub.add_parser("restore", help="用备份恢复数据库（先停止服务）")
    res.add_argument("path")
    res.add_argument("--force", action="store_true", help="覆盖已有数据")
    res.set_defaults(func=cmd_restore)

    wrk = sub.add_parser("worker", help="运行后台任务（anju serve 会自动启动）")
    wrk.add_argument("--batch", action="store_true", help="做完已排队的任务后退出")
    wrk.add_argument("--supervised", action="store_true", help=argparse.SUPPRESS)
    wrk.set_defaults(func=cmd_worker)

    imp = sub.add_parser("import", help="导入数据文件")
    imp.add_argument("kind", choices=["regions", "households", "reference"])
    imp.add_argument("rest", nargs="+", metavar="[KIND] FILE")
    imp.add_argument("--as-of", help="名单数据截至日期 YYYY-MM-DD")
    imp.add_argument("--region", help="名单覆盖的区划代码（默认：整个区划树）")
    imp.add_argument(
        "--stop-on-warnings",
        action="store_true",
        help="农户档案：有警告（身份证号校验不通过、日期顺序不对、疑似重复户等）时不导入",
    )
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="导出数据文件（农户档案，可原样导回）")
    exp.add_argument("kind", choices=["households"])
    exp.add_argument("--region", help="区划代码（默认：整个区划树）")
    exp.add_argument("--out", required=True, help="写出的 .xlsx 文件")
    exp.set_defaults(func=cmd_export)

    chk = sub.add_parser("crosscheck", help="数据比对：运行全部规则")
    chk.add_argument("--region", help="区划代码（默认：整个区划树）")
    chk.add_argument("--json", help="把本次发现写成 JSON 文件")
    chk.add_argument("--xlsx", help="把本次发现写成 Excel 文件")
    chk.set_defaults(func=cmd_crosscheck)

    aud = sub.add_parser("audit", help="审计日志")
    aud.add_argument("action", choices=["verify", "export-head"])
    aud.add_argument("--head", help="链头记录文件（存放在数据库以外）")
    aud.set_defaults(func=cmd_audit)

    rep = sub.add_parser("report", help="月报表：附件1—3；专项整治工作总结")
    rep.add_argument("what", choices=["annex1", "annex2", "annex3", "read", "campaign"])
    rep.add_argument("--id", type=int, help="专项整治编号（campaign）")
    rep.add_argument("--on", help="统计截至日期（campaign，默认今天；已结束的整治按结束日期）")
    rep.add_argument("--number", default="", help="发文字号（campaign），如 漳建〔2020〕88号")
    rep.add_argument("file", nargs="?")
    rep.add_argument("--region")
    rep.add_argument("--month")
    rep.add_argument("--out")
    rep.set_defaults(func=cmd_report)

    rek = sub.add_parser("rekey", help="字段加密密钥轮换：用当前密钥重新加密、重建盲索引")
    rek.add_argument("--chunk", type=int, default=2000, help="每个事务处理的行数")
    rek.set_defaults(func=cmd_rekey)

    man = sub.add_parser("manage", help="Django manage.py", add_help=False)
    man.add_argument("rest", nargs=argparse.REMAINDER)
    man.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
