import { describeDiscordContract } from './discord-contract-driver.ts';

describeDiscordContract('http', 'Discord over HTTP interactions');
