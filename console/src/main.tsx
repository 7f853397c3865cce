/** The console's entry: TanStack Query for server state, the session, the router. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { AtollApiError } from '@atoll/client';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { router } from './router.tsx';
import { SessionProvider } from './session.tsx';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // A 4xx will not change by asking again; a network error or a 5xx may (a restarting server).
      retry: (count, error) => !(error instanceof AtollApiError && error.status < 500) && count < 3,
      refetchOnWindowFocus: true,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <RouterProvider router={router} />
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
