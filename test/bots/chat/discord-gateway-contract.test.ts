import { describeDiscordContract } from './discord-contract-driver.ts';

describeDiscordContract('gateway', 'Discord');
