"""`linkaudit store prune`: keep the history store's size in check (logic in `linkaudit.store.prune`)."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from linkaudit.cli.app import app, fail_usage
from linkaudit.cli.configure import configurable
from linkaudit.cli.options import ConfigOpt, NoConfigOpt, NowOpt
from linkaudit.defaults import DEFAULT_STORE

store_app = typer.Typer(
    help="Look after the history store.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(store_app, name="store")


@store_app.command(epilog="Exit codes: 0 pruned, 2 usage error or a store that cannot be written.")
@configurable
def prune(
    ctx: typer.Context,
    keep: Annotated[
        str,
        typer.Option(
            "--keep",
            help="Keep the checks younger than this (30d, 12w); older ones go, but each URL's latest stays. "
            "Longer than --confirm's DAYS.",
        ),
    ],
    store: Annotated[
        str, typer.Option("--store", help="History store to prune (default: the configuration file's store).")
    ] = DEFAULT_STORE,
    now: NowOpt = None,
    config: ConfigOpt = None,
    no_config: NoConfigOpt = False,
) -> None:
    """Remove old checks from the history store (each URL's latest is always kept) and compact it."""
    from linkaudit.store import Store, StoreError, parse_duration, parse_now  # noqa: PLC0415 - lazy start-up
    from linkaudit.store.prune import prune as prune_store  # noqa: PLC0415

    try:
        keep_seconds = parse_duration(keep)
    except ValueError as exc:
        raise fail_usage(f"--keep {exc}") from None
    try:
        moment = parse_now(now) if now is not None else int(time.time())
    except ValueError as exc:
        raise fail_usage(f"--now {exc}") from None
    try:
        with Store.open(store, create=False) as opened:
            done = prune_store(opened, older_than=moment - keep_seconds)
    except StoreError as exc:
        raise fail_usage(str(exc)) from None
    typer.echo(
        f"linkaudit: pruned {done.checks:,} check{'' if done.checks == 1 else 's'} and {done.evidence:,} "
        f"evidence bod{'y' if done.evidence == 1 else 'ies'} from {store}: "
        f"{done.bytes_before / 1e6:,.1f} MB -> {done.bytes_after / 1e6:,.1f} MB",
        err=True,
    )
