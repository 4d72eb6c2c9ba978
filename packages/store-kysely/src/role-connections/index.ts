export { createRoleConnectionQueue } from "./queue";
