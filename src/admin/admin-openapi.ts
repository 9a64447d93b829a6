// The OpenAPI names the admin API shares: its security scheme (the admin key as a bearer token).
export const ADMIN_SECURITY = 'admin-key';
