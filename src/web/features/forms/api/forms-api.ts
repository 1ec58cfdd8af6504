// Web-to-lead forms and their submissions: queries and changes for Settings → Forms.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  createFormBodySchema,
  formSchema,
  submissionSchema,
  updateFormBodySchema,
} from '../../../../server/modules/forms/forms.schemas';
import { api } from '../../../lib/api-client';

export type Form = z.infer<typeof formSchema>;
export type Submission = z.infer<typeof submissionSchema>;
export type SubmissionStatus = Submission['status'];
export type CreateFormInput = z.input<typeof createFormBodySchema>;
export type UpdateFormInput = z.input<typeof updateFormBodySchema>;

const FORMS_KEY = ['forms'];

export function useForms() {
  return useQuery({
    queryKey: FORMS_KEY,
    queryFn: () => api.get<{ items: Form[] }>('/api/forms').then((page) => page.items),
  });
}

export function useForm(formId: string) {
  return useQuery({
    queryKey: [...FORMS_KEY, formId],
    queryFn: () => api.get<Form>(`/api/forms/${formId}`),
  });
}

export function useFormActions() {
  const queryClient = useQueryClient();
  const refresh = async (form: Form) => {
    queryClient.setQueryData([...FORMS_KEY, form.id], form);
    await queryClient.invalidateQueries({ queryKey: FORMS_KEY, exact: true });
  };
  return {
    create: useMutation({
      mutationFn: (input: CreateFormInput) => api.post<Form>('/api/forms', input),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({ form, changes }: { form: Form; changes: UpdateFormInput }) =>
        api.patch<Form>(`/api/forms/${form.id}`, changes, { ifMatch: form.version }),
      onSuccess: refresh,
    }),
  };
}

export function useSubmissions(formId: string, status: SubmissionStatus) {
  return useQuery({
    queryKey: [...FORMS_KEY, formId, 'submissions', status],
    queryFn: () =>
      api
        .get<{ items: Submission[] }>(`/api/forms/${formId}/submissions`, { status, limit: 100 })
        .then((page) => page.items),
  });
}

export function useAcceptSubmission(formId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, fields }: { id: string; fields: Record<string, string> }) =>
      api.post<Submission>(`/api/form-submissions/${id}/accept`, { fields }),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: [...FORMS_KEY, formId, 'submissions'] }),
        queryClient.invalidateQueries({ queryKey: ['leads'] }),
      ]);
    },
  });
}
