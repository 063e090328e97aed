"""A chat bot that parses user commands with argparse inside a coroutine.

The bot's event loop runs in a thread of its own; the chat client's thread
hands it each message through a small wrapper (`Bot.run` -> `Bot.submit` ->
`asyncio.run_coroutine_threadsafe`) and waits for the reply. argparse was made
for command lines: `!remind --help`, or `!remind` without its arguments,
raises SystemExit, even with `exit_on_error=False`. In the coroutine that
stops the bot's loop, and the client thread never gets its reply.

Run it (`python3 examples/chat_bot.py`): the first command is answered, the
second (`!remind --help`) prints the usage and then the client times out after
3 seconds, with the loop thread dead.
"""

import argparse
import asyncio
import threading


class Bot:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def submit(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro, timeout=3):
        return self.submit(coro).result(timeout=timeout)


BOT = Bot()

remind_parser = argparse.ArgumentParser(prog="!remind", exit_on_error=False)
remind_parser.add_argument("minutes", type=int)
remind_parser.add_argument("text", nargs="+")


class CommandError(Exception):
    pass


class CommandParser(argparse.ArgumentParser):
    """What to use instead: error() and exit() raise an ordinary exception."""

    def error(self, message):
        raise CommandError(message)

    def exit(self, status=0, message=None):
        raise CommandError(message or self.format_usage())


echo_parser = CommandParser(prog="!echo")
echo_parser.add_argument("text", nargs="+")


async def remind(line):
    args = remind_parser.parse_args(line.split())  # expect: HANG002
    return f"in {args.minutes} min: {' '.join(args.text)}"


async def echo(line):
    args = echo_parser.parse_args(line.split())  # ok: CommandParser raises CommandError instead of exiting
    return " ".join(args.text)


def on_message(message):
    command, _, rest = message.partition(" ")
    try:
        if command == "!remind":
            return BOT.run(remind(rest))
        return BOT.run(echo(rest))
    except CommandError as exc:
        return f"usage error: {exc.args[0].splitlines()[0]}"


if __name__ == "__main__":
    print(on_message("!remind 5 stretch your legs"))
    print(on_message("!echo"))
    try:
        print(on_message("!remind --help"))
    except TimeoutError:
        print(f"no reply after 3 s; loop thread alive: {BOT.thread.is_alive()}")
