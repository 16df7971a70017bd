/* libFuzzer target: the exit record reader (exit_view_open and everything
 * the tool and the Event Log report read through it) on damaged records.
 *
 * A record is a few hundred kilobytes, most of it arrays: random bytes of
 * that size would almost never get past the header. So the input is a list
 * of damage done to a real record, one the core wrote with providers, calls,
 * settings and events in it:
 *   byte 0        where the file ends: 255 keeps it whole, else a cut at
 *                 that many 255ths of it (a process killed while the file
 *                 grew, a copy cut short)
 *   then, repeated: 4 bytes little-endian offset (modulo the size), 1 byte
 *                 length, that many bytes written there
 * The result gets an exactly sized heap block, so that the sanitizers catch
 * a read one byte too far. */
#include "core/exit_reader.h"
#include "core/exit_record.h"
#include "tool/exit_summary.h"

#include <stdlib.h>
#include <string.h>

static uint8_t *intact;

static void copy_name(uint16_t *to, size_t max, const char *from)
{
    for (size_t i = 0; i + 1 < max && from[i]; i++)
        to[i] = (uint8_t)from[i];
}

/* What a refused exit with an abandoned, a crashed and a slow call leaves. */
static void write_record(void)
{
    static const uint16_t image[] = { 'C', ':', '\\', 'o', 'u', 't', 'l', 'o', 'o', 'k', '.', 'e', 'x', 'e', 0 };
    static const uint16_t profile[] = { 'O', 'u', 't', 'l', 'o', 'o', 'k', 0 };
    static const uint8_t uid[16] = { 1, 2, 3, 4 };
    struct shutdown_event event = { .kind = EVENT_PROVIDER_OPTED_OUT, .hr = (int32_t)0x80040102 };
    struct provider_identity who[3];
    struct exit_record r;
    uint32_t client, slot;

    intact = calloc(1, exit_record_size());
    if (!intact)
        abort();
    exit_record_format(intact, 1234, 64, 130000000000000000ull, 130000000000000001ull, 0, image);
    r = (struct exit_record){ (struct exit_header *)intact };
    exit_record_profile(&r, profile, 3, 1, 10);
    memset(who, 0, sizeof(who));
    copy_name(who[0].display_name, PROVIDER_DISPLAY_NAME_MAX, "Mailbox \x1b[31m");
    copy_name(who[0].dll_name, PROVIDER_DLL_MAX, "emsmdb32.dll");
    copy_name(who[1].module, PROVIDER_MODULE_MAX, "C:\\x\\contab32.dll");
    copy_name(who[2].dll_name, PROVIDER_DLL_MAX, "mspst");
    for (uint32_t i = 0; i < 3; i++) {
        slot = exit_record_provider(&r, i + 1, i == 0 ? 4 : i == 1 ? 2 : 33, uid, i != 1, 20 + i, &who[i]);
        exit_record_provider_behavior(&r, slot, i, 2);
    }
    exit_record_registered(&r, 3);
    for (int s = EXIT_BEHAVIOR; s <= EXIT_RECORDS; s++)
        exit_record_setting(&r, (enum exit_setting)s, 300, 1, 0);
    client = exit_record_client_start(&r, CLIENT_QUERY, 7, 100);
    event.provider = 2;
    exit_record_event(&r, exit_record_evaluation(&r), &event);
    exit_record_answer(&r, (int32_t)0x80040102);
    exit_record_client_done(&r, client, (int32_t)0x80040102, 200);
    client = exit_record_client_start(&r, CLIENT_DO_FAST, 7, 300);
    for (uint32_t i = 0; i < 3; i++) {
        uint32_t call = exit_record_call_start(&r, i, 2, client, 300);
        exit_record_call_done(&r, call, i == 2 ? 0 : (int32_t)0x80004005, (enum exit_outcome)(i + 1), i, 0xC0000005,
                              300 + 600000 * (i + 1));
    }
    exit_record_call_start(&r, 0, 2, client, 2000000); /* still running */
    exit_record_phase(&r, EXIT_PHASE_DO_FAST);
    exit_record_lost(&r, 3);
}

static void noted(void *ctx, const struct exit_item *item)
{
    size_t *total = ctx;

    for (unsigned i = 0; i < item->count; i++)
        *total += strlen(item->strings[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t whole = exit_record_size(), length = whole, total = 0;
    struct exit_item item;
    struct exit_view view;
    char text[4096];
    uint8_t *bytes;

    if (!intact)
        write_record();
    if (size && data[0] != 255)
        length = whole / 255 * data[0];
    bytes = malloc(length ? length : 1);
    if (!bytes)
        return 0;
    memcpy(bytes, intact, length);
    for (size_t at = 1; at + 5 <= size;) {
        size_t offset = (data[at] | data[at + 1] << 8 | data[at + 2] << 16 | (size_t)data[at + 3] << 24) % whole;
        size_t count = data[at + 4];

        at += 5;
        if (count > size - at)
            count = size - at;
        for (size_t i = 0; i < count; i++)
            if (offset + i < length)
                bytes[offset + i] = data[at + i];
        at += count;
    }
    exit_view_open(&view, bytes, length);
    if (view.status == EXIT_FILE_OK) {
        for (int alive = 0; alive < 2; alive++) {
            enum exit_verdict verdict = exit_verdict(&view, alive);
            const struct exit_provider_call *slowest = exit_slowest_call(&view);

            exit_reason(&view, verdict, text, sizeof(text));
            exit_items(&view, verdict, &item, noted, &total);
            if (slowest)
                total += exit_ms(slowest->duration_us);
        }
        for (uint32_t i = 0; i < view.call_count; i++) {
            const struct exit_provider *p = exit_view_provider(&view, view.calls[i].provider);

            if (p) {
                exit_provider_name(p, text, sizeof(text));
                exit_provider_dll(p, text, sizeof(text));
            }
            total += strlen(exit_outcome_name(view.calls[i].outcome));
        }
        exit_time_text(view.header->process_start, text, sizeof(text));
    }
    free(bytes);
    return total == (size_t)-1;
}
