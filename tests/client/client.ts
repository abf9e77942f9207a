// A court's own tool written against the generated types, as an integrator would: sign in,
// read the triage queue, list the refusals, push a lead. `tsc --noEmit` must accept it
// (tests/client/test_generated_client.py generates gridwork.d.ts from the served document
// first): a renamed field, a wrong type or a missing operation in the document fails here.
import createClient from 'openapi-fetch'
import type { components, paths } from './gridwork'

type Lead = components['schemas']['Lead']
type Problem = components['schemas']['Problem']

const api = createClient<paths>({ baseUrl: 'http://127.0.0.1:8000' })

function failed(problem: Problem | undefined): Error {
  return new Error(`${problem?.code ?? 'error'}: ${problem?.title ?? ''}`)
}

export async function signIn(username: string, password: string): Promise<string> {
  const { data, error } = await api.POST('/api/v1/auth/login', {
    body: { username, password, device_id: 'court-tool-1' },
  })
  if (error) throw failed(error)
  return data.access_token
}

export async function triageQueue(token: string): Promise<Lead[]> {
  const { data, error } = await api.GET('/api/v1/leads', {
    params: { query: { status: ['submitted', 'under_review'], limit: 50 } },
    headers: { Authorization: `Bearer ${token}` },
  })
  if (error) throw failed(error)
  return data.items
}

export async function openRefusals(token: string): Promise<string[]> {
  const { data, error } = await api.GET('/api/v1/sync/rejections', {
    params: { query: { status: 'open' } },
    headers: { Authorization: `Bearer ${token}` },
  })
  if (error) throw failed(error)
  return data.map((refusal) => `${refusal.table} ${refusal.record_id}: ${refusal.message}`)
}

export async function pushLead(token: string, deviceId: string, id: string): Promise<string> {
  const { data, error } = await api.POST('/api/v1/sync/push', {
    body: {
      device_id: deviceId, schema_version: 3,
      mutations: [{ mutation_id: `m-${id}`, table: 'lead', op: 'create', id,
        fields: { kind: 'vehicle', description: '院里停着一辆新三轮' } }],
    },
    headers: { Authorization: `Bearer ${token}` },
  })
  if (error) throw failed(error)
  return data.results?.[0]?.status ?? 'unknown'
}
