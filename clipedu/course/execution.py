"""Executing notebooks with nbclient: for refreshing the outputs committed with them.

Two things differ from a plain ``nbclient.NotebookClient``:

- **No lost reply.** jupyter_client's ``Session.send`` writes through a blocking shadow of the
  client's asyncio socket. ZeroMQ signals a socket's readability on an edge-triggered descriptor,
  and every send processes the socket's pending commands, the arrival of a reply among them,
  which consumes that edge. pyzmq's asyncio layer wakes a waiting receiver after its own sends,
  not after a shadow's. nbclient sends on the shell socket while it awaits a cell's reply there:
  its stand-in for ``ipywidgets.Output`` returns the outputs it captured to the kernel. A reply
  that arrived just then (more likely when the machine is busy) was seen only when the cell's
  timeout ran out: an idle kernel for as long as the timeout (10 minutes, then), then success.
  ``_ShellChannel`` sends through the asyncio socket, which wakes the waiting receiver.
- **A cell that does not answer** within ``timeout`` seconds fails with a message naming the
  notebook and the cell; with ``allow_errors`` the kernel is interrupted, the cell gets that
  message as its error output, and execution goes on with the next cell.
"""

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName, Type

from clipedu import checks

# Seconds: a guard against a hang, not a speed limit. The course's slowest cells train tens of runs and take tens of
# seconds on one core of a 2-core cloud CPU, longer on a slower machine.
CELL_TIMEOUT = 600
TIMEOUT_ERROR = "CellTimeoutError"


class _AsyncioSend:
    """Hands ``Session.send``'s frames to an asyncio socket (which it would otherwise shadow)."""

    def __init__(self, socket):
        self.socket = socket

    def send_multipart(self, frames, copy=True):
        self.socket.send_multipart(frames, copy=copy)  # now, or by the event loop if the socket is full


class _ShellChannel(AsyncZMQSocketChannel):
    """The shell channel, sending through its asyncio socket so that a waiting receiver is woken."""

    def send(self, msg):
        self.session.send(_AsyncioSend(self.socket), msg)


class _KernelClient(AsyncKernelClient):
    shell_channel_class = Type(_ShellChannel)


class KernelManager(AsyncKernelManager):
    """nbclient's default kernel manager, whose clients use ``_ShellChannel``."""

    client_class = DottedObjectName("clipedu.course.execution._KernelClient")
    client_factory = Type(_KernelClient)


def execute(notebook, folder, *, name, timeout=CELL_TIMEOUT, allow_errors=False):
    """Executes ``notebook`` (an nbformat notebook, filled in place) top to bottom in a new python3 kernel.

    The widgets' state is stored in the notebook's metadata, as JupyterLab stores it.

    Args:
        notebook: the notebook, as ``nbformat.read`` returns it.
        folder: the kernel's working directory.
        name: how messages name the notebook (e.g. its file name).
        timeout: seconds a cell may run before it counts as not answering.
        allow_errors: go on past cells that fail or do not answer (their error is their output);
            otherwise the first failing cell raises ``nbclient.exceptions.CellExecutionError`` and a
            cell that does not answer raises ``TimeoutError``.
    """
    import nbclient
    from nbclient.exceptions import CellTimeoutError
    from nbformat.v4 import new_output

    timeout = checks.positive_int("timeout", timeout)
    current = {"index": None}

    def message(index):
        return f"{name}, cell {index}: no answer within {timeout} s"

    def on_cell_start(cell, cell_index):
        current["index"] = cell_index

    def on_cell_error(cell, cell_index, execute_reply):
        if execute_reply["content"].get("ename") == TIMEOUT_ERROR:
            cell.outputs.append(new_output("error", ename=TIMEOUT_ERROR, evalue=message(cell_index), traceback=[]))

    client = nbclient.NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", kernel_manager_class=KernelManager,
        allow_errors=allow_errors, resources={"metadata": {"path": str(folder)}},
        interrupt_on_timeout=allow_errors, error_on_timeout={"ename": TIMEOUT_ERROR, "evalue": "", "traceback": []},
        on_cell_start=on_cell_start, on_cell_error=on_cell_error)
    try:
        client.execute()
    except CellTimeoutError as error:
        raise TimeoutError(message(current["index"])) from error
    return notebook
