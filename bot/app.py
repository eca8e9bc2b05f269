"""The composition root: everything the bot needs is built here.

`python -m bot run` and the tests both call build_application(); the tests
pass a fake `request` that answers the Bot API in-process.
"""

from __future__ import annotations

import asyncio
import gc
import logging

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.config import Settings
from bot.content.locales import Catalog
from bot.content.packs import load_library
from bot.domain.clock import Clock, utc_now
from bot.handlers import registry
from bot.runtime.context import BotApplication, BotContext, BotData, ReflectApplication
from bot.runtime.leader import Leadership
from bot.runtime.metrics import Metrics
from bot.runtime.rate_sharing import RateSharing
from bot.runtime.ratelimit import SharedRateLimiter
from bot.runtime.traffic import Traffic
from bot.services import actions, nudges, personal, questions, summaries
from bot.services.counts import CountRefresher
from bot.services.drawing import ChartWorkers
from bot.services.housekeeping import schedule_housekeeping
from bot.services.nudges import nudge_before_closing
from bot.services.send_records import STOP_GRACE
from bot.services.tick import schedule_dispatch
from bot.services.week_facts import WeekFacts
from bot.store import Store
from bot.store.leases import leader_lease

log = logging.getLogger(__name__)


def build_application(
    settings: Settings, request: BaseRequest | None = None, *, clock: Clock = utc_now
) -> BotApplication:
    metrics = Metrics()
    traffic = Traffic()
    builder = (
        ApplicationBuilder()
        .application_class(ReflectApplication)
        .token(settings.require_token())
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=settings.tzinfo,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(SharedRateLimiter(settings, metrics, traffic))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if settings.api_base_url:
        builder = builder.base_url(f"{settings.api_base_url}/bot").base_file_url(
            f"{settings.api_base_url}/file/bot"
        )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()
    application.bot_data.settings = settings
    application.bot_data.clock = clock
    application.bot_data.metrics = metrics
    application.bot_data.traffic = traffic
    application.bot_data.counts = CountRefresher(settings.count_refresh_seconds)
    application.bot_data.charts = ChartWorkers(settings.chart_workers,
                                               settings.chart_idle_seconds,
                                               settings.chart_worker_niceness)
    application.bot_data.week_facts = WeekFacts()
    application.bot_data.closing_soon_hooks.append(nudge_before_closing)
    application.bot_data.senders.update(
        question=questions.send_question, close=questions.send_closing,
        summary=summaries.send_summary, digest=summaries.send_digest_item,
        recap=personal.send_recap, rest=personal.send_rest_note,
        reminder=nudges.send_reminder, invite=nudges.send_invite,
        checkin=actions.send_checkin,
    )
    registry.register(application)
    return application


async def _post_init(application: BotApplication) -> None:
    data = application.bot_data
    data.packs = load_library(data.settings.content_dir)
    data.catalog = Catalog.load()
    if data.charts is not None:
        # Every chart needs both: sent to each chart worker once, not with each chart.
        data.charts.share(data.catalog, data.packs)
    data.store = await Store.open(data.settings.database, data.clock)
    if data.store.db.checkpoints is not None:  # SQLite: people first here too
        data.store.db.checkpoints.hold_restarts_while(data.traffic.busy)
    # Claims left by a process that died are free; a live replica's are kept.
    released = await data.store.outbox.release_claims()
    if released:
        log.info("released %d outbox claims left by a process that stopped", released)
    # Whether this process runs the scheduled work (always, alone on SQLite).
    limiter = application.bot.rate_limiter
    data.leadership = Leadership(leader_lease(data.store.db),
                                 limiter if isinstance(limiter, SharedRateLimiter) else None,
                                 data.metrics)
    await data.leadership.check()
    if isinstance(limiter, SharedRateLimiter) and limiter.shared:
        data.rate_sharing = RateSharing(limiter, data.store.rate_offers,
                                        data.store.db.session, data.settings)
    log.info("ready: %d content packs, database %s", len(data.packs), data.settings.database_label)
    await registry.publish_menus(application, data.catalog)
    # Scheduled now, not when the application was built: reaching Telegram
    # and opening the database may take a while, and the first tick is due
    # a moment after the bot is ready, not a whole interval later.
    if data.settings.dispatch_interval_seconds > 0:
        schedule_dispatch(application, data.settings.dispatch_interval_seconds)
        schedule_housekeeping(application)
    data.metrics.loop_lag.start()
    # What is loaded by now (the libraries, the catalog, the packs) lives as
    # long as the bot: out of the collector's full passes, which otherwise
    # walk all of it and hold the event loop meanwhile. Back at shutdown.
    gc.freeze()


async def _post_stop(application: BotApplication) -> None:
    # Sends left running in the background (live counts, reactions, pop-ups)
    # finish while the bot can still send, for a few seconds at most: a stop
    # takes seconds, and none of them is worth a SIGKILL mid-send.
    data = application.bot_data
    dropped = sum(await asyncio.gather(data.counts.stop(within=STOP_GRACE),
                                       data.settle(within=STOP_GRACE)))
    if dropped:
        log.info("stopping: %d background sends (counts, reactions) dropped", dropped)
    await _hand_over(application)


async def _hand_over(application: BotApplication) -> None:
    """No more ticks here: another replica may lead from now on."""
    if application.bot_data.leadership is not None:
        await application.bot_data.leadership.release()
        application.bot_data.leadership = None


async def _post_shutdown(application: BotApplication) -> None:
    gc.unfreeze()
    await application.bot_data.metrics.loop_lag.stop()
    await application.bot_data.settle(within=STOP_GRACE)
    await application.bot_data.charts.close()
    await _hand_over(application)
    if application.bot_data.store is not None:
        await application.bot_data.store.close()
        application.bot_data.store = None
