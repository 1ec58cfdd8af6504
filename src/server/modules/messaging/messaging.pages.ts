// The public unsubscribe pages, server-rendered and working without JavaScript: GET asks to
// confirm (link scanners fetch links, so a GET never unsubscribes); the button POSTs, and so do
// mail clients' one-click unsubscribe (RFC 8058).
import { escapeHtml, renderPage } from '../setup/setup.pages.js';

export function renderUnsubscribeConfirm(
  view: { address: string; business: string; done: boolean },
  action: string,
): string {
  if (view.done) return renderUnsubscribed(view);
  return renderPage(
    'Unsubscribe',
    `<h1>Unsubscribe</h1>
<p>Stop marketing email from ${escapeHtml(view.business)} to <strong>${escapeHtml(view.address)}</strong>?</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>`,
  );
}

export function renderUnsubscribed(view: { address: string; business: string }): string {
  return renderPage(
    'Unsubscribed',
    `<h1>You are unsubscribed</h1>
<p>${escapeHtml(view.business)} will send no more marketing email to <strong>${escapeHtml(view.address)}</strong>.</p>`,
  );
}

export function renderUnsubscribeInvalid(): string {
  return renderPage(
    'Link not valid',
    `<h1>This link is not valid</h1>
<p>The unsubscribe link is incomplete or no longer known. Copy the whole link from the email, or reply to the email and ask to be unsubscribed.</p>`,
  );
}
