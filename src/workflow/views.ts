/** The five views of a product; the front is generated first and approved, the rest in parallel. */
export const viewNames = ['front', 'back', 'side', 'top', 'bottom'] as const;
export type ViewName = (typeof viewNames)[number];

export const remainingViews = ['back', 'side', 'top', 'bottom'] as const satisfies readonly ViewName[];
export type RemainingView = (typeof remainingViews)[number];

export function isViewName(value: string): value is ViewName {
  return (viewNames as readonly string[]).includes(value);
}
