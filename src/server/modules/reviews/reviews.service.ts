// Scheduled reviews: a daily one per member (today's follow-ups, stale leads), a weekly pipeline
// summary (Monday from 8:00, workspace time) and a monthly one (win/loss, sources, days to close)
// for admins and managers. Delivered in-app and by email, each once per period and member (the
// delivery is recorded in the same transaction as the notification); also readable on demand.
import { DateTime } from 'luxon';
import { requirePermission, type Actor } from '../../platform/auth/actor.js';
import type { ReviewKind, Role } from '../../platform/db/schema.js';
import type { ServiceDeps } from '../../platform/deps.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import * as repo from './reviews.repository.js';
import type {
  DailyReviewDto,
  MonthlyReviewDto,
  ReviewQuery,
  WeeklyReviewDto,
} from './reviews.schemas.js';

/** A lead with no activity for this many days is stale in the daily review. */
export const STALE_AFTER_DAYS = 7;
/** Local hours from which each review goes out. */
const DAILY_HOUR = 7;
const WEEKLY_MONTHLY_HOUR = 8;
/** How often the schedule looks at every workspace's local time. */
const CHECK_EVERY_MINUTES = 15;
const SUMMARY_ROLES: readonly Role[] = ['admin', 'manager'];
const DAY_MS = 86_400_000;

type Workspace = Awaited<ReturnType<typeof repo.findWorkspace>>;

const oneDecimal = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

function moneyFormat(locale: string, currency: string) {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const scale = 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2);
  return (minor: number) => format.format(minor / scale);
}

function dayFormat(locale: string, timeZone: string) {
  const format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone });
  return (iso: string) => format.format(new Date(iso));
}

export function renderDaily(review: DailyReviewDto, workspace: Workspace) {
  const day = dayFormat(workspace.locale, workspace.time_zone);
  const title = `Your day: ${review.followUps.length} follow-up${review.followUps.length === 1 ? '' : 's'}, ${review.staleLeads.length} stale lead${review.staleLeads.length === 1 ? '' : 's'}`;
  const lines = [
    `Today's follow-ups (${review.period}):`,
    ...(review.followUps.length === 0 ? ['  none'] : []),
    ...review.followUps.map(
      (f) => `  - ${f.title} (${f.overdue ? 'overdue since' : 'due'} ${day(f.dueAt)})`,
    ),
    '',
    `Stale leads (no activity in ${review.staleAfterDays}+ days):`,
    ...(review.staleLeads.length === 0 ? ['  none'] : []),
    ...review.staleLeads.map(
      (s) =>
        `  - ${s.title}: no activity in ${s.daysSinceTouch} days, last touch: ${day(s.lastTouchAt)}`,
    ),
  ];
  return { title, text: lines.join('\n') };
}

export function renderWeekly(review: WeeklyReviewDto, workspace: Workspace) {
  const money = moneyFormat(workspace.locale, review.currency);
  const day = dayFormat(workspace.locale, workspace.time_zone);
  const title = `Weekly review ${review.period}: ${review.newLeads} new, ${review.won.count} won, ${review.lost.count} lost`;
  const lines = [
    `Pipeline summary for ${workspace.name}, ${review.period}`,
    `New leads this week: ${review.newLeads}`,
    `Leads in follow-up: ${review.inFollowUp.count}` +
      (review.inFollowUp.averageAgeDays === null
        ? ''
        : ` (average age ${review.inFollowUp.averageAgeDays} days)`),
    `Proposals out: ${review.proposalsOut.count}, worth ${money(review.proposalsOut.value)}`,
    `Won this week: ${review.won.count}, worth ${money(review.won.value)}`,
    `Lost this week: ${review.lost.count}, worth ${money(review.lost.value)}`,
    review.oldestOpenLead
      ? `Oldest open lead: ${review.oldestOpenLead.title} (${review.oldestOpenLead.ageDays} days, since ${day(review.oldestOpenLead.createdAt)})`
      : 'Oldest open lead: none open',
  ];
  return { title, text: lines.join('\n') };
}

export function renderMonthly(review: MonthlyReviewDto, workspace: Workspace) {
  const money = moneyFormat(workspace.locale, review.currency);
  const title = `Monthly review ${review.period}: ${review.won.count} won, ${review.lost.count} lost`;
  const lines = [
    `Month ${review.period} for ${workspace.name}`,
    `Won: ${review.won.count}, worth ${money(review.won.value)}`,
    `Lost: ${review.lost.count}, worth ${money(review.lost.value)}`,
    ...review.lost.byReason.map((r) => `  - ${r.reason ?? 'no reason'}: ${r.count}`),
    `Win rate: ${review.winRate === null ? '–' : `${Math.round(review.winRate * 100)} %`}`,
    `Average days to close: ${review.averageDaysToClose ?? '–'}`,
    'Top sources:',
    ...(review.topSources.length === 0 ? ['  none'] : []),
    ...review.topSources.map((s) => `  - ${s.name ?? 'no source'}: ${s.leads} leads, ${s.won} won`),
  ];
  return { title, text: lines.join('\n') };
}

export function createReviewsService(
  deps: ServiceDeps,
  modules: { notifications: NotificationsService },
) {
  const { db, clock, jobs, mailer, schedules } = deps;

  function localNow(workspace: Workspace, now: Date) {
    return DateTime.fromJSDate(now, { zone: workspace.time_zone });
  }

  function weekRange(workspace: Workspace, now: Date, which: ReviewQuery['period']) {
    const thisWeek = localNow(workspace, now).startOf('week');
    const start = which === 'last' ? thisWeek.minus({ weeks: 1 }) : thisWeek;
    const end = which === 'last' ? thisWeek : thisWeek.plus({ weeks: 1 });
    return { start, end, period: start.toFormat("kkkk-'W'WW") };
  }

  function monthRange(workspace: Workspace, now: Date, which: ReviewQuery['period']) {
    const thisMonth = localNow(workspace, now).startOf('month');
    const start = which === 'last' ? thisMonth.minus({ months: 1 }) : thisMonth;
    const end = which === 'last' ? thisMonth : thisMonth.plus({ months: 1 });
    return { start, end, period: start.toFormat('yyyy-MM') };
  }

  async function daily(workspace: Workspace, userId: string, now: Date): Promise<DailyReviewDto> {
    const today = localNow(workspace, now).startOf('day');
    const end = today.plus({ days: 1 }).toJSDate();
    const [tasks, stale] = await Promise.all([
      repo.dueTasks(db, workspace.id, userId, end),
      repo.staleLeads(
        db,
        workspace.id,
        userId,
        new Date(now.getTime() - STALE_AFTER_DAYS * DAY_MS),
      ),
    ]);
    return {
      kind: 'daily',
      period: today.toISODate()!,
      timeZone: workspace.time_zone,
      followUps: tasks.map((task) => ({
        taskId: task.id,
        title: task.title,
        dueAt: task.due_at!.toISOString(),
        leadId: task.lead_id,
        overdue: task.due_at! < today.toJSDate(),
      })),
      staleAfterDays: STALE_AFTER_DAYS,
      staleLeads: stale.map((lead) => ({
        leadId: lead.id,
        title: lead.title,
        lastTouchAt: new Date(lead.last_touch).toISOString(),
        daysSinceTouch: Math.floor((now.getTime() - new Date(lead.last_touch).getTime()) / DAY_MS),
      })),
    };
  }

  async function weekly(
    workspace: Workspace,
    now: Date,
    which: ReviewQuery['period'],
  ): Promise<WeeklyReviewDto> {
    const { start, end, period } = weekRange(workspace, now, which);
    const range = { start: start.toJSDate(), end: end.toJSDate() };
    const [figures, oldest] = await Promise.all([
      repo.weeklyFigures(db, workspace.id, range, workspace.currency, now),
      repo.oldestOpenLead(db, workspace.id),
    ]);
    return {
      kind: 'weekly',
      period,
      from: range.start.toISOString(),
      to: range.end.toISOString(),
      timeZone: workspace.time_zone,
      currency: workspace.currency,
      newLeads: figures.new_leads,
      inFollowUp: {
        count: figures.in_follow_up,
        averageAgeDays: oneDecimal(
          figures.follow_up_avg_age_days === null ? null : Number(figures.follow_up_avg_age_days),
        ),
      },
      proposalsOut: { count: figures.proposals_out, value: Number(figures.proposals_value) },
      won: { count: figures.won, value: Number(figures.won_value) },
      lost: { count: figures.lost, value: Number(figures.lost_value) },
      oldestOpenLead: oldest
        ? {
            leadId: oldest.id,
            title: oldest.title,
            createdAt: oldest.created_at.toISOString(),
            ageDays: Math.floor((now.getTime() - oldest.created_at.getTime()) / DAY_MS),
          }
        : null,
    };
  }

  async function monthly(
    workspace: Workspace,
    now: Date,
    which: ReviewQuery['period'],
  ): Promise<MonthlyReviewDto> {
    const { start, end, period } = monthRange(workspace, now, which);
    const range = { start: start.toJSDate(), end: end.toJSDate() };
    const [outcomes, sources] = await Promise.all([
      repo.monthlyOutcomes(db, workspace.id, range, workspace.currency),
      repo.topSources(db, workspace.id, range),
    ]);
    const sum = (status: 'won' | 'lost') => {
      const rows = outcomes.filter((row) => row.status === status);
      return {
        count: rows.reduce((total, row) => total + row.leads, 0),
        value: rows.reduce((total, row) => total + Number(row.value), 0),
      };
    };
    const won = sum('won');
    const lost = sum('lost');
    const wonRow = outcomes.find((row) => row.status === 'won');
    return {
      kind: 'monthly',
      period,
      from: range.start.toISOString(),
      to: range.end.toISOString(),
      timeZone: workspace.time_zone,
      currency: workspace.currency,
      won,
      lost: {
        ...lost,
        byReason: outcomes
          .filter((row) => row.status === 'lost')
          .map((row) => ({ reason: row.reason, count: row.leads, value: Number(row.value) })),
      },
      winRate: won.count + lost.count === 0 ? null : won.count / (won.count + lost.count),
      topSources: sources.map((row) => ({
        sourceId: row.source_id,
        name: row.name,
        leads: row.leads,
        won: row.won,
      })),
      averageDaysToClose: oneDecimal(wonRow?.avg_days == null ? null : Number(wonRow.avg_days)),
    };
  }

  /** In-app now, by email after commit (a job), and recorded so it is never sent twice. */
  async function deliver(
    workspace: Workspace,
    member: { user_id: string; email: string },
    kind: ReviewKind,
    period: string,
    message: { title: string; text: string } | null,
  ) {
    await db.transaction().execute(async (trx) => {
      const claimed = await repo.claimDelivery(trx, {
        workspaceId: workspace.id,
        userId: member.user_id,
        kind,
        period,
        emailed: false,
        now: clock.now(),
      });
      if (!claimed || !message) return;
      await modules.notifications.notify(trx, {
        workspaceId: workspace.id,
        userIds: [member.user_id],
        kind: `review.${kind}`,
        title: message.title,
        body: message.text,
      });
      // Without SMTP_URL the review stays in-app (the server says so in its log at start).
      if (mailer.configured) {
        await jobs.send(trx, 'review-email', {
          workspaceId: workspace.id,
          userId: member.user_id,
          kind,
          period,
          to: member.email,
          subject: message.title,
          text: message.text,
        });
      }
    });
  }

  /** Every review that is due somewhere and not yet delivered (the schedule's work). */
  async function deliverDueReviews(now: Date) {
    for (const workspace of await repo.listWorkspaces(db)) {
      const local = localNow(workspace, now);
      const members = await repo.listMembers(db, workspace.id);
      if (local >= local.startOf('day').set({ hour: DAILY_HOUR })) {
        const period = local.toISODate()!;
        const done = await repo.deliveredTo(db, workspace.id, 'daily', period);
        for (const member of members) {
          if (done.has(member.user_id) || member.role === 'viewer') continue;
          const review = await daily(workspace, member.user_id, now);
          const empty = review.followUps.length === 0 && review.staleLeads.length === 0;
          await deliver(
            workspace,
            member,
            'daily',
            period,
            empty ? null : renderDaily(review, workspace),
          );
        }
      }
      const summaries = members.filter((member) => SUMMARY_ROLES.includes(member.role));
      if (local >= local.startOf('week').set({ hour: WEEKLY_MONTHLY_HOUR })) {
        const review = await weekly(workspace, now, 'last');
        const done = await repo.deliveredTo(db, workspace.id, 'weekly', review.period);
        const message = renderWeekly(review, workspace);
        for (const member of summaries) {
          if (!done.has(member.user_id)) {
            await deliver(workspace, member, 'weekly', review.period, message);
          }
        }
      }
      if (local >= local.startOf('month').set({ hour: WEEKLY_MONTHLY_HOUR })) {
        const review = await monthly(workspace, now, 'last');
        const done = await repo.deliveredTo(db, workspace.id, 'monthly', review.period);
        const message = renderMonthly(review, workspace);
        for (const member of summaries) {
          if (!done.has(member.user_id)) {
            await deliver(workspace, member, 'monthly', review.period, message);
          }
        }
      }
    }
  }

  jobs.register<{
    workspaceId: string;
    userId: string;
    kind: ReviewKind;
    period: string;
    to: string;
    subject: string;
    text: string;
  }>(
    'review-email',
    async (mail) => {
      await mailer.send({ to: mail.to, subject: mail.subject, text: mail.text });
      await repo.markEmailed(db, mail.workspaceId, mail.userId, mail.kind, mail.period);
    },
    { retryLimit: 5 },
  );

  schedules.every('reviews', CHECK_EVERY_MINUTES, () => deliverDueReviews(clock.now()));

  return {
    deliverDueReviews,

    async getDaily(actor: Actor) {
      requirePermission(actor, 'lead:read');
      const workspace = await repo.findWorkspace(db, actor.workspaceId);
      return daily(workspace, actor.userId, clock.now());
    },

    async getWeekly(actor: Actor, query: ReviewQuery) {
      requirePermission(actor, 'lead:analytics');
      const workspace = await repo.findWorkspace(db, actor.workspaceId);
      return weekly(workspace, clock.now(), query.period);
    },

    async getMonthly(actor: Actor, query: ReviewQuery) {
      requirePermission(actor, 'lead:analytics');
      const workspace = await repo.findWorkspace(db, actor.workspaceId);
      return monthly(workspace, clock.now(), query.period);
    },
  };
}

export type ReviewsService = ReturnType<typeof createReviewsService>;
