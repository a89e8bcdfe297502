import asyncio
import time

import nbformat
import pytest
import zmq
import zmq.asyncio
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.session import Session

from clipedu.course import execution


def _seconds_until_the_reply_is_seen(channel_class, timeout):
    """A client awaits a reply on its shell channel; the reply arrives; the client sends a message on
    the same channel before its event loop runs again (as nbclient's Output-widget stand-in does).
    Returns how long ``get_msg`` took to return the reply, of which 0.25 s is the wait before it came."""
    session = Session(key=b"test")
    context = zmq.asyncio.Context()
    kernel = context.socket(zmq.ROUTER)
    port = kernel.bind_to_random_port("tcp://127.0.0.1")
    client = context.socket(zmq.DEALER)
    client.connect(f"tcp://127.0.0.1:{port}")
    channel = channel_class(client, session)
    kernel_side = zmq.Socket.shadow(kernel.underlying)

    async def scenario():
        channel.send(session.msg("kernel_info_request"))
        identity, *frames = kernel_side.recv_multipart()
        start = time.perf_counter()
        reply = asyncio.ensure_future(channel.get_msg(timeout=timeout))
        await asyncio.sleep(0.05)  # the client now waits for the reply
        session.send(kernel_side, "kernel_info_reply", {"status": "ok"}, ident=identity)
        time.sleep(0.2)  # the reply reaches the client's socket; the event loop does not run meanwhile
        channel.send(session.msg("comm_msg", {"comm_id": "x", "data": {}}))
        msg = await reply
        assert msg["msg_type"] == "kernel_info_reply"
        return time.perf_counter() - start

    try:
        return asyncio.run(scenario())
    finally:
        client.close(linger=0)
        kernel.close(linger=0)
        context.term()


def test_a_send_while_awaiting_a_reply_does_not_hide_the_reply():
    assert _seconds_until_the_reply_is_seen(execution._ShellChannel, timeout=3) < 1


def test_notebooks_are_executed_through_that_channel(tmp_path):
    import nbclient

    seen = []
    original = nbclient.NotebookClient.async_start_new_kernel_client

    async def spy(self):
        kc = await original(self)
        seen.append(type(kc.shell_channel))
        return kc

    nbclient.NotebookClient.async_start_new_kernel_client = spy
    try:
        execution.execute(_notebook("1"), tmp_path, name="x.ipynb")
    finally:
        nbclient.NotebookClient.async_start_new_kernel_client = original
    assert seen == [execution._ShellChannel]


@pytest.mark.canary
def test_the_stock_channel_sees_that_reply_only_at_its_timeout():
    # What execution._ShellChannel works around. When jupyter_client or pyzmq fix it, this reports XFAIL
    # (not a failure: nothing of clipedu broke) and the workaround can go.
    seconds = _seconds_until_the_reply_is_seen(AsyncZMQSocketChannel, timeout=3)
    if seconds <= 2.9:
        pytest.xfail(f"the stock channel saw the reply after {seconds:.2f} s: upstream fixed it, "
                     "execution._ShellChannel can go")


def _notebook(*sources):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def test_a_cell_that_does_not_answer_is_named_and_execution_goes_on(tmp_path):
    notebook = _notebook("x = 1", "import time\ntime.sleep(60)", "print(x + 1)")
    start = time.perf_counter()
    execution.execute(notebook, tmp_path, name="student.ipynb", timeout=2, allow_errors=True)
    assert time.perf_counter() - start < 30
    errors = [o for o in notebook.cells[1].outputs if o.output_type == "error"]
    assert [e.evalue for e in errors if e.ename == execution.TIMEOUT_ERROR] == [
        "student.ipynb, cell 1: no answer within 2 s"]
    assert notebook.cells[2].outputs[0].text == "2\n"


def test_without_allow_errors_a_cell_that_does_not_answer_raises_naming_it(tmp_path):
    notebook = _notebook("x = 1", "import time\ntime.sleep(60)")
    with pytest.raises(TimeoutError, match=r"^lesson.ipynb, cell 1: no answer within 2 s$"):
        execution.execute(notebook, tmp_path, name="lesson.ipynb", timeout=2)


def test_invalid_timeout(tmp_path):
    with pytest.raises(ValueError, match="timeout must be a positive integer, got 0"):
        execution.execute(_notebook("1"), tmp_path, name="x.ipynb", timeout=0)
