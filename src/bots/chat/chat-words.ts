/** How a platform spells Facet's commands and roles: the only part of an answer that differs by platform. */
export type ChatWords = {
  /** Starting a design, e.g. "`/design <description>`". */
  start: string;
  /** A whole example of starting one. */
  example: string;
  /** Granting credits, e.g. "`/design grant @user <credits>`". */
  grant: string;
  /** One design of `/design history` in detail, e.g. "`/design history 2`". */
  historyDetail: string;
  /** Who may grant and change settings, as the subject of a sentence: "Workspace admins". */
  admins: string;
  /** The answer when someone else tries an admin's command. */
  adminsOnly: string;
  /** What `/design settings` covers here, e.g. "who approves, prices". */
  settings: string;
  /** Under the current settings: how they are changed on this platform. */
  settingsHowTo: string;
  /** Said when a new card cannot be posted where the command was typed; nothing was charged. */
  cannotPost: string;
  /** Said when a command comes from outside any workspace (a Discord DM). */
  outsideWorkspace: string;
};
