"""`flask kkmp ...`: the operator commands (stable names, documented in the README)."""
import click
from flask import current_app
from flask.cli import AppGroup

from .core.scope import system_scope

kkmp_cli = AppGroup("kkmp", help="KKMP back-office operations.")


@kkmp_cli.command("init")
def init_command():
    """Create or update roles and permissions (idempotent; run after every `flask db upgrade`)."""
    from .security.services import sync_roles_and_permissions

    with system_scope():
        roles = sync_roles_and_permissions()
    click.echo(f"Roles and permissions in place: {', '.join(sorted(roles))}")


@kkmp_cli.command("load-regions")
@click.option("--path", default=None, help="CSV with kode,nama (defaults to the shipped Kemendagri list).")
def load_regions_command(path):
    """Load or refresh the Kemendagri region list (idempotent)."""
    from .regions.services import load_regions, region_counts

    with system_scope():
        n_file, n_table, seconds = load_regions(path or current_app.config["REGIONS_CSV"])
        counts = region_counts()
    click.echo(f"Loaded {n_file} regions in {seconds:.1f} s; the table holds {n_table}.")
    click.echo("  " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))


@kkmp_cli.command("seed-demo")
@click.option("--force", is_flag=True, help="Seed even if cooperatives already exist.")
def seed_demo_command(force):
    """Load the demo cooperatives and users into an empty database (development only)."""
    from .demo import seed_demo

    if not current_app.config.get("DEMO_USERS_ALLOWED"):
        raise click.ClickException("Demo data is only for development (KKMP_ENV=development).")
    with system_scope():
        done, logins = seed_demo(force=force)
    if not done:
        click.echo("Database already has cooperatives; demo data not loaded (use --force to add it anyway).")
    for line in logins:
        click.echo(line)


@kkmp_cli.command("create-user")
@click.argument("username")
@click.option("--role", required=True, help="Admin, Sudin, Camat, Lurah, Pengurus or Sekretaris.")
@click.option("--scope", default=None,
              help="Region code (31.73, 31.73.05, 31.73.05.1001) or, for Pengurus and Sekretaris, the kelurahan "
                   "code of their cooperative. Not used for Admin.")
@click.option("--email", default=None)
@click.option("--first-name", default=None)
@click.option("--last-name", default=None)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of a prompt.")
def create_user_command(username, role, scope, email, first_name, last_name, password_stdin):
    """Create a user with one role and one scope; the password comes from a prompt or stdin, never an argument."""
    import sys

    from .core.errors import DomainError
    from .security.services import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with system_scope():
            user = create_user(username, role, scope, password, email=email, first_name=first_name,
                               last_name=last_name)
    except DomainError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Created {user.username} ({role}, scope {scope or 'all'}).")


@kkmp_cli.command("permission-matrix")
@click.option("--readme", default=None, help="Also write it between the permission-matrix markers of this file.")
def permission_matrix_command(readme):
    """Print the role x resource permission matrix (Markdown, as in the README)."""
    import re

    from .extensions import appbuilder
    from .security.matrix import permission_matrix_markdown

    table = permission_matrix_markdown(appbuilder)
    click.echo(table)
    if readme:
        with open(readme, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"(<!-- permission-matrix:start -->).*?(<!-- permission-matrix:end -->)",
                      lambda m: m.group(1) + "\n" + table + "\n" + m.group(2), text, flags=re.S)
        with open(readme, "w", encoding="utf-8") as f:
            f.write(text)


@kkmp_cli.command("demo-logins")
def demo_logins_command():
    """Print the demo logins."""
    from .demo import demo_logins

    for line in demo_logins():
        click.echo(line)


@kkmp_cli.command("reconcile")
@click.option("--cooperative", "cooperative_ids", type=int, multiple=True,
              help="Only these cooperative ids (default: every cooperative).")
def reconcile_command(cooperative_ids):
    """Prove the kept ledger balances and cash flows equal the journal lines; exit 1 on any difference."""
    from .extensions import db
    from .ledger.balances import reconcile

    from .inventory.services.reconcile import reconcile as reconcile_inventory

    with system_scope():
        problems = reconcile(db.session, cooperative_ids or None)
        stock_problems = reconcile_inventory(db.session, cooperative_ids or None)
    for table, key, kept, actual in problems[:50]:
        coop, account, year, month, unit = key
        click.echo(f"{table}: cooperative {coop} account {account} {month:02d}/{year} unit {unit}: "
                   f"kept {kept}, lines say {actual}")
    for what, coop, kept, actual in stock_problems[:50]:
        click.echo(f"{what}: cooperative {coop}: stock says {kept}, movements or journals say {actual}")
    if problems or stock_problems:
        raise click.ClickException(f"{len(problems) + len(stock_problems)} difference(s) between the balances and "
                                   f"the journal lines or the stock.")
    click.echo("Balances and cash flows agree with the journal lines.")
    click.echo("Stock balances agree with their movements, and the stock valuation with persediaan.")


@kkmp_cli.command("wajib-bills")
@click.option("--queue", is_flag=True, help="Put the run on the job queue (the worker does it, with progress).")
def wajib_bills_command(queue):
    """Make the current month's simpanan wajib bills in every active cooperative (idempotent).

    The worker does this by itself every hour (app/jobs/tasks.py: each cooperative once its own date reaches the
    1st); this command runs the same service by hand or from cron where no worker runs. Each cooperative's bills
    are also made by its first wajib deposit, arrears list or passbook of the month."""
    from .extensions import db
    from .savings.jobs import KIND, run_month_bills

    with system_scope():
        if queue:
            from .jobs.services import do_start_job

            job = do_start_job(db.session, None, KIND)
            click.echo(f"Wajib bill run queued as job {job.id}.")
            return
        # one cooperative per transaction: a long run never holds every lock, and a killed run resumes
        created, coops = run_month_bills(db.session)
    click.echo(f"Wajib bills made: {created} in {coops} cooperatives.")
