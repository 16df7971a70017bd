/* ConcurrentProviders where saves can overlap: N stores whose DoFastShutdown
 * sends its unsaved data over a TCP loopback connection to a server and
 * returns when the server acknowledges it, after a set latency (a commit on
 * a server, as an Exchange store or an IMAP transport makes). The server is
 * a process of its own, as a real one would be; each store holds its
 * connection from before the exit, as a real one would. DoFastShutdown is
 * measured with ConcurrentProviders 0 and 1, against the limit measured in
 * the same run: the slowest of the same commits made alone. The server
 * counts what it received and acknowledged, so that nothing lost goes
 * unseen. */
#include "bench.h"

#include <ws2tcpip.h>
#include <stdio.h>
#include <string.h>

#define REMOTE_BYTES      (64 * 1024)   /* a store's unsaved data */
#define REMOTE_LATENCY_MS 50            /* the server's commit */
#define REMOTE_SAMPLES    5
#define REMOTE_MAX        16

/* The protocol: a 4-byte length, that many bytes, then the server's 8-byte
 * acknowledgment of the bytes it received. Two lengths are commands. */
#define COMMAND_TOTALS 0xffffffffu      /* answered with received and acknowledged since the last one */
#define COMMAND_QUIT   0xfffffffeu

static BOOL send_all(SOCKET s, const void *data, size_t size)
{
    for (size_t done = 0; done < size;) {
        int n = send(s, (const char *)data + done, (int)(size - done), 0);

        if (n <= 0)
            return FALSE;
        done += n;
    }
    return TRUE;
}

static BOOL receive_all(SOCKET s, void *data, size_t size)
{
    for (size_t done = 0; done < size;) {
        int n = recv(s, (char *)data + done, (int)(size - done), 0);

        if (n <= 0)
            return FALSE;
        done += n;
    }
    return TRUE;
}

static SOCKET connect_to(int port)
{
    struct sockaddr_in at = { .sin_family = AF_INET, .sin_port = htons((u_short)port) };
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    BOOL yes = TRUE;

    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s == INVALID_SOCKET)
        return s;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&yes, sizeof(yes));
    if (connect(s, (struct sockaddr *)&at, sizeof(at))) {
        closesocket(s);
        return INVALID_SOCKET;
    }
    return s;
}

/* --- the store's side ---------------------------------------------------------- */

static LONG64 confirmed;    /* bytes whose acknowledgment this process received */

BOOL remote_commit(SOCKET remote, const BYTE *data, DWORD size)
{
    UINT32 length = size;
    UINT64 ack = 0;

    if (!send_all(remote, &length, sizeof(length)) || !send_all(remote, data, size) ||
        !receive_all(remote, &ack, sizeof(ack)) || ack != size)
        return FALSE;
    InterlockedAdd64(&confirmed, (LONG64)ack);
    return TRUE;
}

static DWORD WINAPI commit_on_thread(void *store)
{
    IMAPIProviderShutdown *shutdown;

    IUnknown_QueryInterface((IUnknown *)store, &IID_IMAPIProviderShutdown, (void **)&shutdown);
    return IMAPIProviderShutdown_DoFastShutdown(shutdown);
}

/* One sample, in its own process: N stores connected to the server.
 * "alone": each store's DoFastShutdown called directly, one at a time,
 * printing the slowest; "threads": all at once on plain threads of their
 * own, without the subsystem, printing the time; otherwise registered, and
 * the client's DoFastShutdown after Query and Notify (the parent set
 * ConcurrentProviders), printing its time. Then the bytes acknowledged. */
int sample_remote(int n, const char *mode, int port)
{
    IUnknown *stores[REMOTE_MAX];
    BOOL alone = !strcmp(mode, "alone");
    double start, us = 0;
    WSADATA wsa;

    if (n < 1 || n > REMOTE_MAX || WSAStartup(MAKEWORD(2, 2), &wsa) || !open_subsystem())
        return 1;
    for (int i = 0; i < n; i++) {
        SOCKET s = connect_to(port);
        ULONG cookie;

        if (s == INVALID_SOCKET)
            return 1;
        stores[i] = bench_remote_provider(s, REMOTE_BYTES);
        if (!alone && strcmp(mode, "threads"))
            IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, stores[i], &cookie);
    }
    if (alone)
        for (int i = 0; i < n; i++) {
            IMAPIProviderShutdown *shutdown;

            IUnknown_QueryInterface(stores[i], &IID_IMAPIProviderShutdown, (void **)&shutdown);
            start = now_us();
            IMAPIProviderShutdown_DoFastShutdown(shutdown);
            if (now_us() - start > us)
                us = now_us() - start;
        }
    else if (!strcmp(mode, "threads")) {
        HANDLE threads[REMOTE_MAX];

        start = now_us();
        for (int i = 0; i < n; i++)
            threads[i] = CreateThread(NULL, 0, commit_on_thread, stores[i], 0, NULL);
        WaitForMultipleObjects(n, threads, TRUE, INFINITE);
        us = now_us() - start;
    } else if (IMAPIClientShutdown_QueryFastShutdown(client) == S_OK) {
        IMAPIClientShutdown_NotifyProcessShutdown(client);
        start = now_us();
        IMAPIClientShutdown_DoFastShutdown(client);
        us = now_us() - start;
    }
    printf("%.1f %lld\n", us, (long long)confirmed);
    fflush(stdout);
    ExitProcess(0);
}

/* --- the server ------------------------------------------------------------------ */

static LONG64 received, acknowledged;
static int latency;

static DWORD WINAPI serve_connection(void *arg)
{
    SOCKET s = (SOCKET)arg;
    char buffer[16384];
    UINT32 length;

    while (receive_all(s, &length, sizeof(length))) {
        UINT64 got = 0;

        if (length == COMMAND_QUIT)
            ExitProcess(0);
        if (length == COMMAND_TOTALS) {
            LONG64 totals[2] = { InterlockedExchange64(&received, 0), InterlockedExchange64(&acknowledged, 0) };

            if (!send_all(s, totals, sizeof(totals)))
                break;
            continue;
        }
        while (got < length) {
            int n = recv(s, buffer, (int)(length - got < sizeof(buffer) ? length - got : sizeof(buffer)), 0);

            if (n <= 0)
                goto gone;
            got += n;
            InterlockedAdd64(&received, n);
        }
        Sleep(latency); /* the commit */
        /* Counted before it is sent: the store may be gone as soon as it has it. */
        InterlockedAdd64(&acknowledged, (LONG64)got);
        if (!send_all(s, &got, sizeof(got))) {
            InterlockedAdd64(&acknowledged, -(LONG64)got);
            break;
        }
    }
gone:
    closesocket(s);
    return 0;
}

/* Listens on 127.0.0.1 at a port the system picks, prints it, and serves
 * each connection on a thread of its own until told to quit. */
int serve_commits(int latency_ms)
{
    struct sockaddr_in at = { .sin_family = AF_INET };
    int size = sizeof(at);
    SOCKET listener, s;
    WSADATA wsa;

    latency = latency_ms;
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (WSAStartup(MAKEWORD(2, 2), &wsa) || (listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) == INVALID_SOCKET ||
        bind(listener, (struct sockaddr *)&at, sizeof(at)) || listen(listener, SOMAXCONN) ||
        getsockname(listener, (struct sockaddr *)&at, &size))
        return 1;
    printf("%d\n", ntohs(at.sin_port));
    fflush(stdout);
    while ((s = accept(listener, NULL, NULL)) != INVALID_SOCKET) {
        BOOL yes = TRUE;
        HANDLE thread;

        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&yes, sizeof(yes));
        thread = CreateThread(NULL, 0, serve_connection, (void *)s, 0, NULL);
        if (thread)
            CloseHandle(thread);
        else
            closesocket(s);
    }
    return 0;
}

/* --- the parent ------------------------------------------------------------------ */

/* The server process, and the port it listens on (0: it could not start). */
static int start_server(PROCESS_INFORMATION *process)
{
    SECURITY_ATTRIBUTES inherit = { sizeof(inherit), NULL, TRUE };
    STARTUPINFOA startup = { .cb = sizeof(startup) };
    char command[MAX_PATH + 32], line[16] = "";
    HANDLE read_end, write_end;
    DWORD got = 0, n;

    CreatePipe(&read_end, &write_end, &inherit, 0);
    SetHandleInformation(read_end, HANDLE_FLAG_INHERIT, 0);
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdOutput = write_end;
    startup.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    snprintf(command, sizeof(command), "\"%s\" server %d", exe, REMOTE_LATENCY_MS);
    if (!CreateProcessA(NULL, command, NULL, NULL, TRUE, 0, NULL, NULL, &startup, process)) {
        CloseHandle(read_end);
        CloseHandle(write_end);
        return 0;
    }
    CloseHandle(write_end);
    while (got < sizeof(line) - 1 && !strchr(line, '\n') && ReadFile(read_end, line + got, 1, &n, NULL) && n)
        line[got += n] = 0;
    CloseHandle(read_end);
    return atoi(line);
}

static BOOL command(int port, UINT32 what, LONG64 totals[2])
{
    SOCKET s = connect_to(port);
    BOOL ok = s != INVALID_SOCKET && send_all(s, &what, sizeof(what)) && (!totals || receive_all(s, totals, 16));

    if (s != INVALID_SOCKET)
        closesocket(s);
    return ok;
}

static double run_remote(int n, const char *mode, int port, LONG64 *confirmed_total)
{
    char args[64], output[64];
    double us = 0;
    long long bytes = 0;

    snprintf(args, sizeof(args), "remote %d %s %d", n, mode, port);
    if (run(args, output, sizeof(output), NULL, NULL))
        sscanf(output, "%lf %lld", &us, &bytes);
    *confirmed_total += bytes;
    return us;
}

void bench_loopback(void)
{
    static const int counts[] = { 1, 2, 4, 8, 16 };
    PROCESS_INFORMATION server;
    double worst = 0;
    LONG64 all_lost = 0;
    BOOL checked = TRUE;
    WSADATA wsa;
    int port;

    printf("\nConcurrentProviders where saves can overlap: N stores whose DoFastShutdown sends its %d KiB\n"
           "of unsaved data over TCP loopback to a server (a process of its own) that waits %d ms, as a\n"
           "commit would, then acknowledges; DoFastShutdown returns after the acknowledgment. The\n"
           "client's DoFastShutdown is measured with the setting 0 (sequential) and 1 (concurrent),\n"
           "each as a ratio to the limit measured in the same run: the slowest of the same commits\n"
           "made alone (median of %d; goal: concurrent <= 1.2x the limit up to N = 16, sequential\n"
           "about N times it). \"plain threads\": the same commits on N threads of their own, without\n"
           "the subsystem. Bytes are counted by the server over every sample of a row, the limit's\n"
           "included: lost = to commit - acknowledged.\n\n",
           REMOTE_BYTES / 1024, REMOTE_LATENCY_MS, REMOTE_SAMPLES);
    if (WSAStartup(MAKEWORD(2, 2), &wsa) || !(port = start_server(&server))) {
        printf("The server could not start: no table.\n");
        return;
    }
    printf("| N stores | limit (ms) | sequential (ms) | ratio | concurrent (ms) | ratio | plain threads (ms) "
           "| ratio | to commit (KiB) | server received (KiB) | acknowledged (KiB) | bytes lost |\n");
    printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (unsigned c = 0; c < ARRAYSIZE(counts); c++) {
        static const char *const modes[3] = { "sequential", "concurrent", "threads" };
        double limit[REMOTE_SAMPLES], times[3][REMOTE_SAMPLES], ratios[3][REMOTE_SAMPLES];
        LONG64 totals[2] = { 0, 0 }, confirmed_total = 0, to_commit;
        double concurrent;
        int n = counts[c];

        for (int i = 0; i < REMOTE_SAMPLES; i++) {
            limit[i] = run_remote(n, "alone", port, &confirmed_total);
            for (int m = 0; m < 3; m++) {
                set_setting(MAPISHUT_CONCURRENT_VALUE, m == 1);
                times[m][i] = run_remote(n, modes[m], port, &confirmed_total);
                ratios[m][i] = limit[i] > 0 ? times[m][i] / limit[i] : 0;
            }
        }
        command(port, COMMAND_TOTALS, totals);
        to_commit = (LONG64)REMOTE_SAMPLES * 4 * n * REMOTE_BYTES;
        all_lost += to_commit - totals[1];
        checked = checked && confirmed_total == totals[1];
        concurrent = median(ratios[1], REMOTE_SAMPLES);
        if (concurrent > worst)
            worst = concurrent;
        printf("| %d | %.1f | %.1f | %.2f | %.1f | %.2f | %.1f | %.2f | %lld | %lld | %lld | %lld |\n", n,
               median(limit, REMOTE_SAMPLES) / 1000, median(times[0], REMOTE_SAMPLES) / 1000,
               median(ratios[0], REMOTE_SAMPLES), median(times[1], REMOTE_SAMPLES) / 1000, concurrent,
               median(times[2], REMOTE_SAMPLES) / 1000, median(ratios[2], REMOTE_SAMPLES),
               (long long)(to_commit / 1024), (long long)(totals[0] / 1024),
               (long long)(totals[1] / 1024), (long long)(to_commit - totals[1]));
    }
    clear_setting(MAPISHUT_CONCURRENT_VALUE);
    command(port, COMMAND_QUIT, NULL);
    WaitForSingleObject(server.hProcess, 5000);
    CloseHandle(server.hProcess);
    CloseHandle(server.hThread);
    printf("\nconcurrent / limit, the largest over N: %.2f (goal <= 1.2: %s); %lld bytes lost in all;\n"
           "the acknowledgments the stores received %s the server's count.\n",
           worst, worst <= 1.2 ? "met" : "not met", (long long)all_lost, checked ? "equal" : "DO NOT EQUAL");
}
