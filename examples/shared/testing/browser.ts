/**
 * A browser stand-in over real HTTP (`fetch`): one cookie jar per origin, redirects not followed, and
 * `hosts` — like an `/etc/hosts` entry or a reverse proxy — sending requests for a public origin
 * (`http://app.example.test`) to the address the example really listens on.
 */
export class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  constructor(private readonly hosts: Record<string, string> = {}) {}

  /** The cookies kept for `origin` (name → value). */
  cookies(origin: string): Map<string, string> {
    let jar = this.jars.get(origin);
    if (!jar) {
      jar = new Map();
      this.jars.set(origin, jar);
    }
    return jar;
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const jar = this.cookies(target.origin);
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set("cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
    const address = this.hosts[target.origin] ?? target.origin;
    const response = await fetch(new URL(target.pathname + target.search, address), {
      ...init,
      headers,
      redirect: "manual",
    });
    keepCookies(jar, response);
    return response;
  }

  get(url: string): Promise<Response> {
    return this.request(url);
  }

  /** A form POST, with the `Origin` a browser sends. */
  post(url: string, form: Record<string, string> = {}): Promise<Response> {
    return this.request(url, {
      method: "POST",
      headers: { origin: new URL(url).origin },
      body: new URLSearchParams(form),
    });
  }
}

/** Keeps a response's cookies; an empty value or `Max-Age=0` deletes one. */
function keepCookies(jar: Map<string, string>, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair = "", ...attributes] = line.split(";");
    const index = pair.indexOf("=");
    const name = pair.slice(0, index).trim();
    const value = pair.slice(index + 1).trim();
    const expired = attributes.some((a) => a.trim().toLowerCase() === "max-age=0");
    if (expired || value === "") jar.delete(name);
    else jar.set(name, value);
  }
}
