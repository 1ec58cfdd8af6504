// Pieces of the server's company schema the company forms validate with in the browser.
import { z } from 'zod';
import { updateCompanyBodySchema } from '../../../../server/modules/companies/companies.schemas';

const shape = updateCompanyBodySchema.shape;
export const COMPANY_TYPES = shape.type.unwrap().options;
/** The statuses a person sets; "archived" is not chosen, it follows from archiving. */
export const COMPANY_STATUSES = shape.status.unwrap().options;
export const MAIN_PHONE_SCHEMA = z.union([z.literal(''), shape.mainPhone.unwrap().unwrap()]);
export const WEBSITE_SCHEMA = z.union([z.literal(''), shape.website.unwrap().unwrap()]);
export const INDUSTRY_SCHEMA = shape.industry.unwrap().unwrap();
