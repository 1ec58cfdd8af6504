import { parse as parseQueryString } from 'node:querystring';
import type {} from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf } from '../../platform/auth/authenticate.js';
import type { FormRow, SubmissionAdapter } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';
import { sendProblem } from '../../platform/http/problem.js';
import { parseIfMatch, withEtag } from '../../platform/http/versioning.js';
import type { App } from '../../platform/http/types.js';
import {
  formPageCsp,
  renderFormNotFound,
  renderHostedForm,
  renderThankYou,
} from './forms.pages.js';
import {
  acceptSubmissionBodySchema,
  adapterParamsSchema,
  captureParamsSchema,
  captureResultSchema,
  createFormBodySchema,
  formIdParamsSchema,
  formSchema,
  formsPageSchema,
  listSubmissionsQuerySchema,
  metaNoticeResultSchema,
  submissionSchema,
  submissionsPageSchema,
  updateFormBodySchema,
} from './forms.schemas.js';
import { SIGNATURE_HEADER, type CaptureOutcome, type FormsService } from './forms.service.js';

const tags = ['forms'];

// Public capture limits (in memory, per app instance): a person or bot at one address, and one
// form however many addresses post to it.
export const CAPTURE_LIMITS = {
  perIpPerMinute: 20,
  perFormPerMinute: 200,
  bodyBytes: 256 * 1024,
};

interface CaptureBody {
  raw: Buffer;
  data: Record<string, unknown> | null;
  error: string | null;
}

/** Parses a capture body, keeping the raw bytes (the signature is over them). Never throws. */
function parseCaptureBody(contentType: string, raw: Buffer): CaptureBody {
  const text = raw.toString('utf8');
  if (contentType.includes('application/x-www-form-urlencoded')) {
    return { raw, data: { ...parseQueryString(text) }, error: null };
  }
  try {
    const data: unknown = JSON.parse(text);
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
      return { raw, data: data as Record<string, unknown>, error: null };
    }
    return { raw, data: null, error: 'Send a JSON object' };
  } catch {
    return { raw, data: null, error: 'The request body is not valid JSON' };
  }
}

function originOf(url: string): string {
  return new URL(url).origin;
}

export function registerFormsRoutes(app: App, forms: FormsService, publicUrl: string): void {
  app.get(
    '/api/forms',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Web-to-lead forms of the workspace',
        response: { 200: formsPageSchema },
      },
    },
    (request) => forms.listForms(actorOf(request)),
  );

  app.post(
    '/api/forms',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Create a form; the answer carries its public key, hosted URL and embed snippet',
        body: createFormBodySchema,
        response: { 201: formSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply.code(201), await forms.createForm(actorOf(request), request.body)),
  );

  app.get(
    '/api/forms/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'One form',
        params: formIdParamsSchema,
        response: { 200: formSchema },
      },
    },
    async (request, reply) =>
      withEtag(reply, await forms.getForm(actorOf(request), request.params.id)),
  );

  app.patch(
    '/api/forms/:id',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: 'Change a form (If-Match: its version); a null secret removes it',
        params: formIdParamsSchema,
        body: updateFormBodySchema,
        response: { 200: formSchema },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await forms.updateForm(
          actorOf(request),
          request.params.id,
          request.body,
          parseIfMatch(request.headers['if-match']),
        ),
      ),
  );

  app.get(
    '/api/forms/:id/submissions',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary: "A form's stored submissions, newest first (status: accepted, rejected, spam)",
        params: formIdParamsSchema,
        querystring: listSubmissionsQuerySchema,
        response: { 200: submissionsPageSchema },
      },
    },
    (request) => forms.listSubmissions(actorOf(request), request.params.id, request.query),
  );

  app.post(
    '/api/form-submissions/:id/accept',
    {
      config: { access: 'lead:configure' },
      schema: {
        tags,
        summary:
          'Accept a rejected or spam submission with corrected values (runs the inquiry flow)',
        params: formIdParamsSchema,
        body: acceptSubmissionBodySchema,
        response: { 200: submissionSchema },
      },
    },
    (request) => forms.acceptSubmission(actorOf(request), request.params.id, request.body),
  );

  // Public capture: its own body parsers (raw bytes kept for the signature, form posts and JSON
  // only), CORS per form, rate limits, and HTML answers for browsers posting a plain form.
  void app.register((capture: App, _options, done) => {
    capture.removeAllContentTypeParsers();
    capture.addContentTypeParser(
      ['application/json', 'application/x-www-form-urlencoded'],
      { parseAs: 'buffer', bodyLimit: CAPTURE_LIMITS.bodyBytes },
      (request, body, done) => {
        done(null, parseCaptureBody(request.headers['content-type'] ?? '', body as Buffer));
      },
    );
    const ipLimit = capture.createRateLimit({
      max: CAPTURE_LIMITS.perIpPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => `capture-ip:${request.ip}`,
    });
    const formLimit = capture.createRateLimit({
      max: CAPTURE_LIMITS.perFormPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => `capture-form:${(request.params as { formKey: string }).formKey}`,
    });

    async function throttle(limit: typeof ipLimit, request: FastifyRequest) {
      const result = await limit(request);
      if (!result.isAllowed && result.isExceeded) {
        const seconds = Math.max(1, Math.ceil(result.ttl / 1000));
        throw new AppError('rate_limited', {
          message: `Too many submissions; try again in ${seconds} second(s).`,
          headers: { 'retry-after': String(seconds) },
        });
      }
    }

    const ownOrigin = originOf(publicUrl);
    /** Posts from a browser page outside the form's allowed origins are refused. */
    function isOriginAllowed(form: FormRow, origin: string | undefined) {
      if (!origin || origin === ownOrigin) return true;
      return form.allowed_origins.length === 0 || form.allowed_origins.includes(origin);
    }

    function setCors(reply: FastifyReply, form: FormRow, origin: string | undefined) {
      void reply.header('vary', 'Origin');
      if (origin && form.allowed_origins.includes(origin)) {
        void reply.header('access-control-allow-origin', origin);
      }
    }

    function wantsHtml(request: FastifyRequest, adapter: SubmissionAdapter) {
      const type = request.headers['content-type'] ?? '';
      const accept = request.headers.accept ?? '';
      return (
        adapter === 'form' &&
        type.includes('application/x-www-form-urlencoded') &&
        !(accept.includes('application/json') && !accept.includes('text/html'))
      );
    }

    function sendHtml(reply: FastifyReply, form: FormRow | null, status: number, html: string) {
      if (form) void reply.header('content-security-policy', formPageCsp(form));
      reply.removeHeader('x-frame-options');
      return reply.code(status).type('text/html; charset=utf-8').send(html);
    }

    async function handleCapture(
      request: FastifyRequest,
      reply: FastifyReply,
      formKey: string,
      adapter: SubmissionAdapter,
    ) {
      await throttle(ipLimit, request);
      const html = wantsHtml(request, adapter);
      const form = await forms.findPublicForm(formKey);
      if (!form) {
        if (html) return sendHtml(reply, null, 404, renderFormNotFound());
        throw new AppError('not_found', { message: 'No such form.' });
      }
      const origin = request.headers.origin;
      if (!isOriginAllowed(form, origin)) {
        throw new AppError('forbidden', {
          message: 'This form does not take posts from that site.',
        });
      }
      setCors(reply, form, origin);
      await throttle(formLimit, request);

      const body = request.body as CaptureBody | undefined;
      const header = (name: string) => {
        const value = request.headers[name];
        return typeof value === 'string' ? value : null;
      };
      const outcome = await forms.captureSubmission(form, {
        adapter,
        contentType: request.headers['content-type'] ?? '',
        rawBody: body?.raw ?? Buffer.alloc(0),
        body: body?.data ?? null,
        parseError: body ? body.error : 'Send a JSON object or a form post',
        idempotencyKey: header('idempotency-key'),
        signature: header(SIGNATURE_HEADER),
        ip: request.ip,
        userAgent: header('user-agent'),
        requestId: request.id,
      });
      return answer(request, reply, form, outcome, html);
    }

    function answer(
      request: FastifyRequest,
      reply: FastifyReply,
      form: FormRow,
      outcome: CaptureOutcome,
      html: boolean,
    ) {
      if (outcome.kind === 'meta_notice') {
        return reply.code(202).send({
          status: 'needs_lead_data' as const,
          detail:
            "Meta webhooks carry lead ids only. Each is kept as a rejected submission: accept it with the lead's fields, or send the lead's field_data to this adapter.",
          submissions: outcome.submissions,
        });
      }
      const { submission, replayed } = outcome;
      if (replayed) void reply.header('idempotent-replayed', 'true');
      if (outcome.inactive) {
        if (html) return sendHtml(reply, form, 404, renderFormNotFound());
        throw new AppError('not_found', { message: 'This form is not taking submissions.' });
      }
      if (submission.status === 'rejected') {
        const problem = {
          detail: 'Please correct these fields.',
          fields: submission.errors,
        };
        if (html) {
          return sendHtml(
            reply,
            form,
            422,
            renderHostedForm(form, request.url, submission.fields.values, problem),
          );
        }
        return sendProblem(
          request,
          reply,
          outcome.malformed ? 'bad_request' : 'validation_failed',
          outcome.malformed ? 'The submission could not be read.' : 'Some fields are not valid.',
          submission.errors,
          { submissionId: submission.id, status: 'rejected' },
        );
      }
      // Spam is answered like a success, so bots learn nothing.
      if (html) {
        if (form.redirect_url) return reply.code(303).header('location', form.redirect_url).send();
        return sendHtml(reply, form, 200, renderThankYou(form));
      }
      return reply.code(201).send({
        submissionId: submission.id,
        status: 'accepted' as const,
        leadId: submission.status === 'accepted' ? submission.lead_id : null,
      });
    }

    const captureDescription =
      "Takes application/json or application/x-www-form-urlencoded. A browser posting a plain form gets a thank-you page (or a 303 to the redirect URL); JSON gets `{ submissionId, status, leadId }`. Idempotency-Key (or the payload's own submission id) makes a resend land once. Forms with a signing secret need `X-Leadkeeper-Signature: sha256=<hex HMAC-SHA256 of the body>`.";

    capture.post(
      '/api/capture/:formKey',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Submit a web-to-lead form (public)',
          description: captureDescription,
          security: [],
          params: captureParamsSchema,
          response: { 201: captureResultSchema },
        },
      },
      (request, reply) => handleCapture(request, reply, request.params.formKey, 'form'),
    );

    capture.post(
      '/api/capture/:formKey/:adapter',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary:
            "Submit another system's lead payload: meta (field_data), google-ads (user_column_data), typeform (form_response), generic (JSON paths)",
          description: captureDescription,
          security: [],
          params: adapterParamsSchema,
          response: { 201: captureResultSchema, 202: metaNoticeResultSchema },
        },
      },
      (request, reply) =>
        handleCapture(request, reply, request.params.formKey, request.params.adapter),
    );

    // CORS preflight for these paths only: the API as a whole stays closed to other origins.
    const preflight = async (request: FastifyRequest, reply: FastifyReply) => {
      const { formKey } = request.params as { formKey: string };
      const form = await forms.findPublicForm(formKey);
      const origin = request.headers.origin;
      if (!form) throw new AppError('not_found', { message: 'No such form.' });
      if (!origin || !form.allowed_origins.includes(origin)) {
        throw new AppError('forbidden', {
          message: 'This form does not take posts from that site.',
        });
      }
      return reply
        .code(204)
        .headers({
          vary: 'Origin',
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': `content-type, idempotency-key, ${SIGNATURE_HEADER}`,
          'access-control-max-age': '600',
        })
        .send();
    };
    const hidden = { config: { access: 'public' as const }, schema: { hide: true } };
    capture.options('/api/capture/:formKey', hidden, preflight);
    capture.options('/api/capture/:formKey/:adapter', hidden, preflight);

    capture.get(
      '/f/:formKey',
      { ...hidden, schema: { hide: true, params: captureParamsSchema } },
      async (request, reply) => {
        const form = await forms.findPublicForm(request.params.formKey);
        if (!form?.is_active) return sendHtml(reply, null, 404, renderFormNotFound());
        return sendHtml(
          reply,
          form,
          200,
          renderHostedForm(form, `/api/capture/${encodeURIComponent(form.key)}`),
        );
      },
    );
    done();
  });
}
