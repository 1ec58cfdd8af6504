// Pieces of the server's contact schema the contact forms validate with in the browser.
import { z } from 'zod';
import { updateContactBodySchema } from '../../../../server/modules/contacts/contacts.schemas';

const shape = updateContactBodySchema.shape;
export const EMAIL_ENTRY = shape.emails.unwrap().element.options[1].shape;
export const PHONE_ENTRY = shape.phones.unwrap().element.options[1].shape;

/** An email or phone as the API checks it; an empty one is dropped, not an error. */
export const EMAIL_SCHEMA = z.union([z.literal(''), EMAIL_ENTRY.value]);
export const PHONE_SCHEMA = z.union([z.literal(''), PHONE_ENTRY.value]);
export const LIFECYCLE_STAGES = shape.lifecycleStage.unwrap().options;
export const PREFERRED_CHANNELS = shape.preferredChannel.unwrap().options;
