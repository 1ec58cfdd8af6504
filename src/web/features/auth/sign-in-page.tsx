// Sign in with email and password; errors are said in words, and typed values stay.
import { zodResolver } from '@hookform/resolvers/zod';
import {
  Alert,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { loginBodySchema } from '../../../server/modules/auth/auth.schemas';
import { ME_QUERY_KEY } from '../../app/session';
import { api, ApiError, setCsrfToken } from '../../lib/api-client';
import { applyServerErrors } from '../../lib/forms';

type SignInValues = z.input<typeof loginBodySchema>;

function signInFailure(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 401) return 'That email and password do not match an account.';
  if (error.status === 422) return null;
  return error.message;
}

export function SignInPage() {
  const queryClient = useQueryClient();
  const form = useForm<SignInValues, unknown, z.output<typeof loginBodySchema>>({
    resolver: zodResolver(loginBodySchema),
    defaultValues: { email: '', password: '' },
  });
  const signIn = useMutation({
    mutationFn: (values: z.output<typeof loginBodySchema>) =>
      api.post<{ csrfToken: string }>('/api/auth/login', values),
    meta: { handledStatuses: [401, 422, 429] },
    // With the session known, the signed-in routes take over /sign-in?next=… and go there.
    onSuccess: async (session) => {
      setCsrfToken(session.csrfToken);
      await queryClient.invalidateQueries({ queryKey: ME_QUERY_KEY });
    },
    onError: (error) => {
      applyServerErrors(error, form.setError, ['email', 'password']);
      form.resetField('password', { keepError: true });
    },
  });
  const failure = signInFailure(signIn.error);

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={400}>
        <form
          noValidate
          onSubmit={(event) => void form.handleSubmit((values) => signIn.mutate(values))(event)}
        >
          <Stack>
            <Title order={1} size="h2">
              Sign in to Leadkeeper
            </Title>
            {failure && (
              <Alert color="red" title="Could not sign in" role="alert">
                {failure}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              {...form.register('email')}
              error={form.formState.errors.email?.message}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              {...form.register('password')}
              error={form.formState.errors.password?.message}
            />
            <Button type="submit" loading={signIn.isPending}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
