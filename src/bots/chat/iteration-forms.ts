/**
 * The two forms about one iteration of a front view, in the same words on every platform: "Request
 * changes" (what should change) and "Decline" (why, told to the requester).
 */
export type IterationForm = 'feedback' | 'decline';

export const iterationForms: readonly IterationForm[] = ['feedback', 'decline'];

export const iterationFormWords: Record<
  IterationForm,
  {
    title: string;
    submit: string;
    label: (iteration: number) => string;
    placeholder: string;
    hint: string | null;
  }
> = {
  feedback: {
    title: 'Request changes',
    submit: 'Revise',
    label: (iteration) => `What should change in iteration ${iteration}?`,
    placeholder: 'e.g. a warmer colour, rounder edges and a matte finish',
    hint: null,
  },
  decline: {
    title: 'Decline this design',
    submit: 'Decline',
    label: (iteration) => `Why is iteration ${iteration} declined?`,
    placeholder: 'e.g. off-brand colours; start again from the spring palette',
    hint: 'The requester is told your reason. The design ends and its reserved credits are returned.',
  },
};
