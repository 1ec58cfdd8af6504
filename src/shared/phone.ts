// Phone numbers: typed as people type them, stored with their E.164 form for matching.
// libphonenumber-js (Google's metadata, "max" set for exact validity) does the parsing.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** The E.164 form of a phone number, read with the workspace's country as default; null if invalid. */
export function toE164(raw: string, defaultCountry: string): string | null {
  const parsed = parsePhoneNumberFromString(raw, defaultCountry.toUpperCase() as CountryCode);
  return parsed?.isValid() ? parsed.number : null;
}
