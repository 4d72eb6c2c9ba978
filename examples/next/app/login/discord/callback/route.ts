import { discordLogin } from "@/lib/discord-login";

export const GET = async (request: Request) => (await discordLogin()).loginCallback(request);
