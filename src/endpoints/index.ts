/**
 * Endpoints (`twisted.internet.endpoints`): the description grammar of `serverFromString` and
 * `clientFromString`, and the systemd descriptors `systemd:` endpoints adopt.
 *
 * @module
 */
export { ListenFDs } from './listen-fds.ts';
export { quoteStringArgument } from './quote-string-argument.ts';
