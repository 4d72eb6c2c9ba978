import { discordLogin } from "@/lib/discord-login";

export const POST = async (request: Request) => (await discordLogin()).logout(request);
