import { actorOf } from '../../platform/auth/authenticate.js';
import type { App } from '../../platform/http/types.js';
import {
  dailyReviewSchema,
  monthlyReviewSchema,
  reviewQuerySchema,
  weeklyReviewSchema,
} from './reviews.schemas.js';
import type { ReviewsService } from './reviews.service.js';

const tags = ['reviews'];

export function registerReviewsRoutes(app: App, reviews: ReviewsService): void {
  app.get(
    '/api/reviews/daily',
    {
      config: { access: 'lead:read' },
      schema: {
        tags,
        summary: "Your daily review: today's follow-ups and your stale leads",
        response: { 200: dailyReviewSchema },
      },
    },
    (request) => reviews.getDaily(actorOf(request)),
  );

  app.get(
    '/api/reviews/weekly',
    {
      config: { access: 'lead:analytics' },
      schema: {
        tags,
        summary: 'The weekly pipeline summary (the last full week, or the current one so far)',
        querystring: reviewQuerySchema,
        response: { 200: weeklyReviewSchema },
      },
    },
    (request) => reviews.getWeekly(actorOf(request), request.query),
  );

  app.get(
    '/api/reviews/monthly',
    {
      config: { access: 'lead:analytics' },
      schema: {
        tags,
        summary: 'The monthly review: win/loss by outcome, top sources, average days to close',
        querystring: reviewQuerySchema,
        response: { 200: monthlyReviewSchema },
      },
    },
    (request) => reviews.getMonthly(actorOf(request), request.query),
  );
}
