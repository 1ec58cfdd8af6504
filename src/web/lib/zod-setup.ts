// Client-side messages in the server's words: an empty required field says "Required".
import { z } from 'zod';

z.config({
  customError: (issue) => {
    if (issue.input === undefined) return 'Required';
    if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1) {
      return 'Required';
    }
    return undefined;
  },
});
