// A lead's score (0–100) and the points that made it: rule points, or the model's strongest
// factors. Unscored leads say why.
import { Card, Group, RingProgress, Stack, Text, Title } from '@mantine/core';
import type { Lead } from '../../lib/types';

function scoreColor(score: number): string {
  if (score >= 70) return 'teal';
  if (score >= 40) return 'yellow';
  return 'gray';
}

export function ScoreCard({ lead }: { lead: Pick<Lead, 'score' | 'scoreFactors'> }) {
  return (
    <Card withBorder data-testid="lead-score">
      <Title order={2} size="h4" mb="xs">
        Score
      </Title>
      {lead.score === null ? (
        <Text size="sm" c="dimmed">
          Not scored yet. Scores come from the scoring rules in Settings → Scoring.
        </Text>
      ) : (
        <Stack gap="xs">
          <Group gap="sm">
            <RingProgress
              size={72}
              thickness={7}
              roundCaps
              sections={[{ value: lead.score, color: scoreColor(lead.score) }]}
              label={
                <Text ta="center" fw={700} size="lg" data-testid="lead-score-value">
                  {lead.score}
                </Text>
              }
              aria-label={`Score ${lead.score} of 100`}
            />
            <Text size="sm" c="dimmed">
              of 100
            </Text>
          </Group>
          {lead.scoreFactors.length > 0 && (
            <ul
              aria-label="What made the score"
              style={{ margin: 0, paddingLeft: 0, listStyle: 'none' }}
            >
              {lead.scoreFactors.map((factor) => (
                <li key={factor.label}>
                  <Group justify="space-between" wrap="nowrap" gap="xs">
                    <Text size="sm" truncate>
                      {factor.label}
                    </Text>
                    <Text size="sm" fw={600} c={factor.points < 0 ? 'red.9' : undefined}>
                      {factor.points > 0 ? '+' : ''}
                      {factor.points}
                    </Text>
                  </Group>
                </li>
              ))}
            </ul>
          )}
        </Stack>
      )}
    </Card>
  );
}
