import { ruleTester, py } from '../rule-tester.js';

const header = py`
  import asyncio
  loop = asyncio.new_event_loop()
  async def work():
      return 1
  fut = asyncio.run_coroutine_threadsafe(work(), loop)
`;

ruleTester('HANG100', {
  valid: [
    { name: 'a directive that silences its finding', code: header + 'fut.result()  # noqa: HANG001\n' },
    { name: 'a lower-case code that silences its finding', code: header + 'fut.result()  # noqa: hang001\n' },
    { name: 'a prefix that silences a finding it starts', code: header + 'fut.result()  # noqa: HANG00 the caller sets a deadline\n' },
    { name: 'a bare noqa is shared with flake8 and Ruff', code: header + 'x = 1  # noqa\n' },
    { name: 'codes of other tools are theirs', code: header + 'import os  # noqa: F401, E501\n' },
    { name: 'HANG100 in a list keeps the others', code: header + 'x = 1  # noqa: HANG004, HANG100\n' },
    { name: 'a file directive that silences a finding', code: '# pyhang: noqa: HANG001\n' + header + 'fut.result()\n' },
    {
      name: 'a directive that silences a finding reached through a wrapper in another module',
      files: {
        'app/__init__.py': '',
        'app/bridge.py': 'import asyncio\nLOOP = asyncio.new_event_loop()\ndef call_in_loop(coro):\n    return asyncio.run_coroutine_threadsafe(coro, LOOP)\n',
        'app/client.py': 'from .bridge import call_in_loop\nasync def ping():\n    pass\ndef send():\n    return call_in_loop(ping()).result()  # noqa: HANG001\n',
      },
    },
  ],
  invalid: [
    {
      name: 'a directive left after the timeout was added',
      code: header + 'fut.result(timeout=5)  # noqa: HANG001\n',
      errors: [{ line: 6, column: 24, endColumn: 39, severity: 'warning', message: 'Unused `noqa` directive (unused: `HANG001`)' }],
      output: header + 'fut.result(timeout=5)\n',
    },
    {
      name: 'an unknown code, in lower case',
      code: header + 'fut.result()  # noqa: HANG001, hang009\n',
      errors: [{ line: 6, column: 15, message: 'Unused `noqa` directive (unknown: `HANG009`)' }],
      output: header + 'fut.result()  # noqa: HANG001\n',
    },
    {
      name: 'a code that silences nothing beside one that does and a code of another tool; the reason stays',
      code: header + 'fut.result()  # noqa: E501, HANG001, HANG004 the caller sets a deadline\n',
      errors: [{ line: 6, column: 15, message: 'unused: `HANG004`' }],
      output: header + 'fut.result()  # noqa: E501, HANG001 the caller sets a deadline\n',
    },
    {
      name: 'a directive alone on its line goes with the line',
      code: header + 'def f():\n    # noqa: HANG003\n    return 1\n',
      errors: [{ line: 7, column: 5 }],
      output: header + 'def f():\n    return 1\n',
    },
    {
      name: 'a directive followed by a reason leaves the reason',
      code: header + 'x = 1  # noqa: HANG002 kept for later\n',
      errors: [{ line: 6, column: 8 }],
      output: header + 'x = 1  # kept for later\n',
    },
    {
      name: 'a directive after another comment leaves that comment',
      code: header + 'x = 1  # type: ignore  # noqa: HANG004\n',
      errors: [{ line: 6, column: 24 }],
      output: header + 'x = 1  # type: ignore\n',
    },
    {
      name: 'a file directive that silences nothing',
      code: '# pyhang: noqa: HANG004\n' + header + 'fut.result(timeout=1)\n',
      errors: [{ line: 1, column: 1, message: 'Unused `pyhang: noqa` directive (unused: `HANG004`)' }],
      output: header + 'fut.result(timeout=1)\n',
    },
    {
      name: 'in a module with no asyncio at all',
      code: 'import json\n\ndef load(raw):\n    return json.loads(raw)  # NOQA: HANG001\n',
      errors: [{ line: 4, column: 29 }],
      output: 'import json\n\ndef load(raw):\n    return json.loads(raw)\n',
    },
  ],
});
