/**
 * The workflows API of the GitHub fake: reading and re-enabling a workflow (the keep-alive) and the
 * `workflow_dispatch` the login function sends after a login.
 */
import type { FakeDispatch, FakeWorkflow, FakeWorkflowSeed } from './types.js';
import type { Context, FakeWorld, Reply, Route } from './http.js';
import { HttpError, isObject, lower, repositoryOf, route } from './http.js';

export class WorkflowsApi {
  readonly workflows: FakeWorkflow[] = [];
  /** Workflow dispatches accepted, in order. */
  readonly dispatches: FakeDispatch[] = [];
  private readonly branches: Set<string>;

  /** `seeds` name known repositories; `branches` are the refs a dispatch may name (every repository has them). */
  constructor(
    private readonly world: FakeWorld,
    seeds: FakeWorkflowSeed[],
    branches: string[],
  ) {
    for (const wf of seeds) {
      this.workflows.push({
        repository: world.repo(wf.repository).fullName,
        id: wf.id,
        name: wf.name ?? wf.path.replace(/^.*\//, ''),
        path: wf.path,
        state: wf.state ?? 'active',
        enableCalls: 0,
        dispatchable: wf.dispatchable ?? true,
      });
    }
    this.branches = new Set(branches);
  }

  routes(): Route[] {
    const R = '/repos/{owner}/{repo}';
    return [
      route('workflow-get', 'GET', `${R}/actions/workflows/{workflow}`, ['actions'], 'repo', (ctx) =>
        this.getWorkflow(ctx),
      ),
      route('workflow-enable', 'PUT', `${R}/actions/workflows/{workflow}/enable`, ['actions'], 'repo', (ctx) =>
        this.enableWorkflow(ctx),
      ),
      route('workflow-dispatch', 'POST', `${R}/actions/workflows/{workflow}/dispatches`, ['actions'], 'repo', (ctx) =>
        this.dispatchWorkflow(ctx),
      ),
    ];
  }

  setWorkflowState(repository: string, id: number, state: FakeWorkflow['state']): void {
    const wf = this.workflows.find((w) => lower(w.repository) === lower(repository) && w.id === id);
    if (!wf) throw new Error(`no workflow ${id} in ${repository}`);
    wf.state = state;
  }

  // ----- handlers ---------------------------------------------------------------------------------------------------

  private workflowOf(ctx: Context): FakeWorkflow {
    const repo = repositoryOf(this.world, ctx);
    const id = ctx.params.workflow ?? '';
    const wf = this.workflows.find(
      (w) => lower(w.repository) === lower(repo) && (String(w.id) === id || w.path.replace(/^.*\//, '') === id),
    );
    if (!wf) throw new HttpError(404, 'Not Found');
    return wf;
  }

  private getWorkflow(ctx: Context): Reply {
    const wf = this.workflowOf(ctx);
    const at = this.world.now().toISOString();
    return {
      status: 200,
      body: {
        id: wf.id,
        node_id: `W_fake${wf.id}`,
        name: wf.name,
        path: wf.path,
        state: wf.state,
        created_at: at,
        updated_at: at,
        url: `${this.world.url}/repos/${wf.repository}/actions/workflows/${wf.id}`,
        html_url: `${this.world.serverUrl}/${wf.repository}/blob/main/${wf.path}`,
        badge_url: `${this.world.serverUrl}/${wf.repository}/workflows/${encodeURIComponent(wf.name)}/badge.svg`,
      },
    };
  }

  private enableWorkflow(ctx: Context): Reply {
    const wf = this.workflowOf(ctx);
    wf.enableCalls++;
    wf.state = 'active';
    return { status: 204 };
  }

  /** GitHub's answers: 204; 422 without a workflow_dispatch trigger, on a disabled workflow, or for a missing ref. */
  private dispatchWorkflow(ctx: Context): Reply {
    const wf = this.workflowOf(ctx);
    const { ref, inputs } = ctx.body;
    if (typeof ref !== 'string' || ref === '') throw new HttpError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
    if (!wf.dispatchable) throw new HttpError(422, "Workflow does not have 'workflow_dispatch' trigger");
    if (wf.state !== 'active') throw new HttpError(422, "Cannot trigger a 'workflow_dispatch' on a disabled workflow");
    if (!this.branches.has(ref.replace(/^refs\/heads\//, ''))) throw new HttpError(422, `No ref found for: ${ref}`);
    this.dispatches.push({
      repository: wf.repository,
      workflowId: wf.id,
      path: wf.path,
      ref,
      inputs: isObject(inputs) ? inputs : {},
      at: this.world.now(),
    });
    return { status: 204 };
  }
}
