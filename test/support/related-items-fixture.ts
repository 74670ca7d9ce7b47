/** ARNs of Amazon Connect contacts and attached files for related-item tests. */
const INSTANCE = 'arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555';

export const INSTANCE_ARN = INSTANCE;
export const contactArn = (n: number) => `${INSTANCE}/contact/00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
export const fileArn = (n: number) => `${INSTANCE}/file/f0000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
