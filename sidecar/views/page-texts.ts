// What the pages say when they cannot show what was asked for: the customer's words, not the API's field names
// (the JSON API keeps the spec's texts, sidecar/lib/errors.ts). Each comes with a link back to the VM list.

export const PAGE_TEXTS = {
  JOB_NOT_FOUND: { title: 'Backup job not found', message: 'This backup job was not found.' },
  VM_NOT_CHOSEN: { title: 'No VM chosen', message: 'No VM was chosen to restore. Pick one from your Hyper-V VMs.' },
  VM_NOT_FOUND: { title: 'VM not found', message: 'This VM was not found.' },
  RUN_NOT_CHOSEN: { title: 'No restore chosen', message: 'No restore was chosen. Your VMs list their recent restores.' },
  RUN_NOT_FOUND: { title: 'Restore not found', message: 'This restore was not found.' },
  PAGE_NOT_FOUND: { title: 'Page not found', message: 'This page does not exist.' },
  // Only a misconfigured bridge asks for a look the pages do not have.
  THEME_UNKNOWN: { title: 'Page not shown', message: 'This page could not be shown here. Please contact support.' },
} as const;

export type PageText = (typeof PAGE_TEXTS)[keyof typeof PAGE_TEXTS];
