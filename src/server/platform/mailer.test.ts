import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpSink } from '../../../test/support/smtp-sink.js';
import { createMailer, MailerNotConfiguredError } from './mailer.js';

let sink: Awaited<ReturnType<typeof startSmtpSink>> | undefined;

afterEach(async () => {
  await sink?.close();
  sink = undefined;
});

describe('mailer', () => {
  it('delivers to the SMTP server with the configured sender and extra headers', async () => {
    sink = await startSmtpSink();
    const mailer = createMailer({ smtpUrl: sink.url, mailFrom: 'Desk <desk@example.test>' });
    await mailer.send({
      to: 'ana@example.test',
      subject: 'Your estimate',
      text: 'Hello Ana',
      headers: { 'List-Unsubscribe': '<https://crm.example.test/u/abc>' },
    });
    mailer.close();
    expect(sink.received).toHaveLength(1);
    const [mail] = sink.received;
    expect(mail).toMatchObject({
      from: 'desk@example.test',
      to: ['ana@example.test'],
      subject: 'Your estimate',
    });
    expect(mail!.raw).toContain('List-Unsubscribe: <https://crm.example.test/u/abc>');
    expect(mail!.raw).toContain('Hello Ana');
  });

  it('rejects what the server refuses, and says how to set it up when there is no server', async () => {
    sink = await startSmtpSink({ rejectRecipients: /@nowhere\.test$/ });
    const mailer = createMailer({ smtpUrl: sink.url, mailFrom: 'desk@example.test' });
    await expect(
      mailer.send({ to: 'gone@nowhere.test', subject: 'Hi', text: 'Hi' }),
    ).rejects.toThrow(/550/);
    mailer.close();

    const unset = createMailer({ smtpUrl: undefined, mailFrom: 'desk@example.test' });
    expect(unset.configured).toBe(false);
    await expect(unset.send({ to: 'a@example.test', subject: 'x', text: 'x' })).rejects.toThrow(
      MailerNotConfiguredError,
    );
  });
});
