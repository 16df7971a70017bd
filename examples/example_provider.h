/* demoprov32.dll (example_provider.c): a small MAPI-style provider that keeps unsaved
 * ("dirty") data in memory and saves it when the subsystem tells it to, or
 * when it is released in a normal shutdown. It prints everything it is told. */
#ifndef MAPISHUT_EXAMPLE_PROVIDER_H
#define MAPISHUT_EXAMPLE_PROVIDER_H

#include "mapishut.h"

/* What a MAPI provider entry point (XPProviderInit, ABProviderInit,
 * MSProviderInit) would return, reduced to what the example needs. */
typedef HRESULT (WINAPI *example_provider_create_fn)(ULONG resource_type, const WCHAR *display_name,
                                                     const WCHAR *data_file, IUnknown **provider);

#endif
