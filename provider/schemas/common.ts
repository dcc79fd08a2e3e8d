/**
 * Building blocks shared by the response schemas. Responses are parsed with `z.looseObject`, so
 * fields Atlas adds later are kept, and only the fields this package relies on are checked.
 */
import * as z from "zod";

/** A 24-hex Atlas object id (`groupId`, `_id`, `roleId`, ...). */
export const ObjectId = z.string().regex(/^[a-f0-9]{24}$/, "expected a 24-hex id");

/** A link as Atlas returns it; `rel` may be a word (`self`, `next`) or a URL. */
export const Link = z.looseObject({ href: z.string(), rel: z.string() });

/**
 * A paginated list body: `{ links, results, totalCount }`. `totalCount` is absent with
 * `includeCount=false`; `links` is absent in some real responses.
 */
export function paginated<T extends z.ZodType>(item: T) {
  return z.looseObject({
    links: z.array(Link).optional(),
    results: z.array(item),
    totalCount: z.number().int().nonnegative().optional(),
  });
}

/** A page as the pagination helper sees it. */
export interface Page<T> {
  links?: { href: string; rel: string }[] | undefined;
  results: T[];
  totalCount?: number | undefined;
}

/**
 * Atlas's `ApiError` body. Every field optional and loosely typed: error bodies are parsed
 * best-effort (the status and `X-Error-Code` header are enough when the body is odd).
 * `error` is the HTTP status in Atlas bodies but a string code in OAuth token errors.
 */
export const AtlasErrorBody = z.looseObject({
  error: z.union([z.number(), z.string()]).optional(),
  errorCode: z.string().optional(),
  detail: z.string().nullish(),
  reason: z.string().nullish(),
  parameters: z.array(z.unknown()).nullish(),
  error_description: z.string().optional(),
});
/** Parsed `ApiError` body. */
export type AtlasErrorBody = z.infer<typeof AtlasErrorBody>;

/** OAuth 2 client-credentials token response. */
export const OAuthTokenResponse = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive().optional(),
});
/** Parsed OAuth token response. */
export type OAuthTokenResponse = z.infer<typeof OAuthTokenResponse>;

/**
 * Formats zod issues as `path: message` lines for AtlasResponseValidationError. Input values are
 * deliberately left out (they could be large or sensitive). Never throws.
 */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, 10).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "(body)";
    return `${where}: ${issue.message}`;
  });
}
